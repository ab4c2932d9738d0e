"""SQS queue: encrypted with the shared CMK, TLS only, a dead-letter queue after a few failed
receives; FIFO when asked. A topic subscribed to it gets the queue-policy statement it needs."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, ref


class SqsParams(BlockParams):
    name: str = Field(default="jobs", pattern=r"^[A-Za-z0-9_-]{1,75}$")
    fifo: bool = False
    max_receive_count: int = Field(default=5, ge=1, le=1000)
    visibility_timeout_s: int = Field(default=60, ge=0, le=43200)
    retention_s: int = Field(default=345600, ge=60, le=1209600)
    dlq: bool = True


def _seconds(n: int, unit: str) -> int:
    return n * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit[0]]


class SqsQueue(BlockSpec):
    kind: ClassVar[str] = "sqs_queue"
    title: ClassVar[str] = "SQS queue with a dead-letter queue"
    nouns: ClassVar[tuple[str, ...]] = (r"\bsqs(?:\s+(?:fifo\s+)?queues?)?\b", r"\b(?:fifo\s+)?queues?\b")
    params_model: ClassVar[type[BlockParams]] = SqsParams
    tf_type: ClassVar[str] = "aws_sqs_queue"
    cfn_type: ClassVar[str] = "AWS::SQS::Queue"
    design: ClassVar[tuple[str, ...]] = (
        "Queue: encrypted with the shared CMK, TLS-only queue policy, dead-letter queue after "
        "repeated failures.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "write": ("sqs:SendMessage", "sqs:GetQueueAttributes"),
        "read": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
        "consume": (
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ChangeMessageVisibility",
        ),
    }
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("trigger", "lambda")})
    cfn_arn_attr: ClassVar[str] = "Arn"

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "queue")
        if name:
            out["name"] = name
        if re.search(r"\bfifo\b", text, re.I):
            out["fifo"] = True
        m = re.search(
            r"\bafter\s+(\d{1,4})\s+(?:failed\s+|unsuccessful\s+)?(?:retries|attempts|tries|receives|failures)",
            text,
            re.I,
        )
        if m is None:
            m = re.search(
                r"\bmax(?:imum)?[\s_-]*receives?(?:[\s_-]*count)?\s*(?:of|=|:)?\s*(\d{1,4})", text, re.I
            )
        if m:
            out["max_receive_count"] = int(m.group(1))
        m = re.search(
            r"\bvisibility(?:\s+timeout)?\s*(?:of|=|:)?\s*(\d{1,5})\s*(s|sec|seconds?|m|min|minutes?|h|hours?)\b",
            text,
            re.I,
        )
        if m:
            out["visibility_timeout_s"] = _seconds(int(m.group(1)), m.group(2).lower())
        m = re.search(
            r"\b(?:retain|retention|keep)\w*\s+(?:(?:the\s+)?messages\s+|them\s+|it\s+)?(?:of\s+|for\s+)?(\d{1,4})\s*(d|days?|h|hours?)\b",
            text,
            re.I,
        )
        if m:
            out["retention_s"] = min(1209600, _seconds(int(m.group(1)), m.group(2).lower()))
        if re.search(r"\b(?:no|without)\s+(?:a\s+)?(?:dlq|dead[\s-]letter)", text, re.I):
            out["dlq"] = False
        return out

    def arn(self, u: Unit, s: Scene) -> Any:
        return ref(f"aws_sqs_queue.{u.label}.arn") if s.fmt == "terraform" else yamlout.get_att(u.lid, "Arn")

    def _name(self, p: SqsParams, dlq: bool = False) -> str:
        base = p.name.removesuffix(".fifo") + ("-dlq" if dlq else "")
        return base + (".fifo" if p.fifo else "")

    def _policy(self, u: Unit, s: Scene) -> dict[str, Any]:
        arn = self.arn(u, s)
        statements: list[dict[str, Any]] = [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
        for topic in s.into(u, "subscribe"):
            statements.append(
                {
                    "Sid": f"AllowTopic{topic.lid}",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic.block.arn(topic, s)}},
                }
            )
        for rule in s.into(u, "trigger") + [
            w for w in s.into(u, "write") if w.kind in ("eventbridge_rule", "s3_bucket")
        ]:
            if rule.kind == "eventbridge_rule":
                statements.append(
                    {
                        "Sid": f"AllowRule{rule.lid}",
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": arn,
                        "Condition": {"ArnEquals": {"aws:SourceArn": rule.block.arn(rule, s)}},
                    }
                )
        return {"Version": "2012-10-17", "Statement": statements}

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: SqsParams = u.params
        key = s.key_arn("sns") if s.into(u, "subscribe") else s.key_arn()
        if any(w.kind == "eventbridge_rule" for w in s.into(u, "trigger", "write")):
            s.key_arn("events", "EventBridge")
        common: list[Any] = [("fifo_queue", True)] if p.fifo else []
        common += [("kms_master_key_id", key), ("kms_data_key_reuse_period_seconds", 300)]
        blocks: list[Block] = []
        main: list[Any] = [("name", self._name(p)), *common]
        main += [
            ("visibility_timeout_seconds", p.visibility_timeout_s),
            ("message_retention_seconds", p.retention_s),
        ]
        if p.dlq:
            blocks.append(
                resource(
                    "aws_sqs_queue",
                    f"{u.label}_dlq",
                    ("name", self._name(p, True)),
                    *common,
                    ("message_retention_seconds", 1209600),
                )
            )
            main.append(
                (
                    "redrive_policy",
                    Call(
                        "jsonencode",
                        {
                            "deadLetterTargetArn": ref(f"aws_sqs_queue.{u.label}_dlq.arn"),
                            "maxReceiveCount": p.max_receive_count,
                        },
                    ),
                )
            )
        blocks.insert(0, resource("aws_sqs_queue", u.label, *main))
        blocks.append(
            resource(
                "aws_sqs_queue_policy",
                u.label,
                ("queue_url", ref(f"aws_sqs_queue.{u.label}.id")),
                ("policy", Call("jsonencode", self._policy(u, s))),
            )
        )
        s.output(f"{u.label}_queue_url", ref(f"aws_sqs_queue.{u.label}.url"), "URL of the queue.")
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: SqsParams = u.params
        key = s.key_arn("sns") if s.into(u, "subscribe") else s.key_arn()
        if any(w.kind == "eventbridge_rule" for w in s.into(u, "trigger", "write")):
            s.key_arn("events", "EventBridge")
        common: dict[str, Any] = {"FifoQueue": True} if p.fifo else {}
        common.update({"KmsMasterKeyId": key, "KmsDataKeyReusePeriodSeconds": 300})
        props: dict[str, Any] = {"QueueName": self._name(p), **common}
        props.update({"VisibilityTimeout": p.visibility_timeout_s, "MessageRetentionPeriod": p.retention_s})
        out: dict[str, Any] = {}
        if p.dlq:
            out[f"{u.lid}Dlq"] = cfn(
                "AWS::SQS::Queue",
                {"QueueName": self._name(p, True), **common, "MessageRetentionPeriod": 1209600},
            )
            props["RedrivePolicy"] = {
                "deadLetterTargetArn": yamlout.get_att(f"{u.lid}Dlq", "Arn"),
                "maxReceiveCount": p.max_receive_count,
            }
        out[u.lid] = cfn("AWS::SQS::Queue", props)
        out[f"{u.lid}Policy"] = cfn(
            "AWS::SQS::QueuePolicy", {"Queues": [yamlout.ref(u.lid)], "PolicyDocument": self._policy(u, s)}
        )
        s.output(f"{u.label}_queue_url", yamlout.ref(u.lid), "URL of the queue.")
        return out
