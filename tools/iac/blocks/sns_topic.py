"""SNS topic: encrypted with the shared CMK; e-mail subscriptions; fan-out to queues (with their
queue policies, raw delivery) and to functions (with invoke permissions)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, ref


class SnsParams(BlockParams):
    name: str = Field(default="events", pattern=r"^[A-Za-z0-9_-]{1,256}$")
    fifo: bool = False
    emails: list[str] = Field(default_factory=list)


class SnsTopic(BlockSpec):
    kind: ClassVar[str] = "sns_topic"
    title: ClassVar[str] = "SNS topic"
    nouns: ClassVar[tuple[str, ...]] = (r"\bsns(?:\s+topics?)?\b", r"\btopics?\b")
    params_model: ClassVar[type[BlockParams]] = SnsParams
    tf_type: ClassVar[str] = "aws_sns_topic"
    cfn_type: ClassVar[str] = "AWS::SNS::Topic"
    cfn_arn_attr: ClassVar[str] = ""
    tf_arn_attr: ClassVar[str] = "arn"
    design: ClassVar[tuple[str, ...]] = (
        "Topic: encrypted with the shared CMK; subscribers get only what they need.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {"write": ("sns:Publish",)}
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("subscribe", "sqs_queue"), ("trigger", "lambda")}
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "topic")
        if name:
            out["name"] = name
        if "fifo" in text.lower():
            out["fifo"] = True
        emails = re.findall(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b", text)
        if emails:
            out["emails"] = emails
        return out

    def _name(self, p: SnsParams) -> str:
        return p.name.removesuffix(".fifo") + (".fifo" if p.fifo else "")

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: SnsParams = u.params
        body: list[Any] = [("name", self._name(p)), ("kms_master_key_id", s.key_arn())]
        if p.fifo:
            body.append(("fifo_topic", True))
        blocks = [resource("aws_sns_topic", u.label, *body)]
        arn = ref(f"aws_sns_topic.{u.label}.arn")
        for i, email in enumerate(p.emails):
            blocks.append(
                resource(
                    "aws_sns_topic_subscription",
                    f"{u.label}_email_{i}",
                    ("topic_arn", arn),
                    ("protocol", "email"),
                    ("endpoint", email),
                )
            )
        for q in s.out_of(u, "subscribe"):
            blocks.append(
                resource(
                    "aws_sns_topic_subscription",
                    f"{u.label}_to_{q.label}",
                    ("topic_arn", arn),
                    ("protocol", "sqs"),
                    ("endpoint", ref(f"aws_sqs_queue.{q.label}.arn")),
                    ("raw_message_delivery", True),
                )
            )
        s.output(f"{u.label}_topic_arn", arn, "ARN of the topic.")
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: SnsParams = u.params
        props: dict[str, Any] = {"TopicName": self._name(p), "KmsMasterKeyId": s.key_arn()}
        if p.fifo:
            props["FifoTopic"] = True
        out: dict[str, Any] = {u.lid: cfn("AWS::SNS::Topic", props)}
        for i, email in enumerate(p.emails):
            out[f"{u.lid}Email{i}"] = cfn(
                "AWS::SNS::Subscription",
                {"TopicArn": yamlout.ref(u.lid), "Protocol": "email", "Endpoint": email},
            )
        for q in s.out_of(u, "subscribe"):
            out[f"{u.lid}To{q.lid}"] = cfn(
                "AWS::SNS::Subscription",
                {
                    "TopicArn": yamlout.ref(u.lid),
                    "Protocol": "sqs",
                    "Endpoint": yamlout.get_att(q.lid, "Arn"),
                    "RawMessageDelivery": True,
                },
            )
        s.output(f"{u.label}_topic_arn", yamlout.ref(u.lid), "ARN of the topic.")
        return out
