"""Kinesis data stream: encrypted with the shared CMK, on-demand capacity unless a shard count is
named, retention as asked (24 hours by default); consumers and producers get IAM statements
scoped to this stream (and the key)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, ref


class KinesisParams(BlockParams):
    name: str = Field(default="events", pattern=r"^[A-Za-z0-9_.-]{1,128}$")
    shards: int | None = Field(default=None, ge=1, le=10000)
    retention_hours: int = Field(default=24, ge=24, le=8760)


class KinesisStream(BlockSpec):
    kind: ClassVar[str] = "kinesis_stream"
    title: ClassVar[str] = "Kinesis data stream"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bkinesis(?:\s+data)?(?:\s+streams?)?\b",
        r"\bdata\s+streams?\b",
    )
    params_model: ClassVar[type[BlockParams]] = KinesisParams
    tf_type: ClassVar[str] = "aws_kinesis_stream"
    cfn_type: ClassVar[str] = "AWS::Kinesis::Stream"
    design: ClassVar[tuple[str, ...]] = (
        "Stream: KMS encryption with the shared CMK, on-demand capacity unless shards are named, "
        "consumers scoped to this stream.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "write": ("kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStreamSummary"),
        "read": (
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:ListShards",
        ),
    }
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("trigger", "lambda")})
    examples: ClassVar[tuple[str, ...]] = ("a kinesis data stream with 4 shards that triggers a lambda",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "stream")
        if name:
            out["name"] = name
        m = re.search(
            r"\b(\d{1,5})\s+shards?\b|\bshards?\s*(?:count)?\s*(?:of|=|:)?\s*(\d{1,5})\b", text, re.I
        )
        if m:
            out["shards"] = int(m.group(1) or m.group(2))
        m = re.search(
            r"\b(\d{1,4})\s*-?\s*(h|hrs?|hours?|d|days?)\b(?=[^.]{0,25}\bretention\b)"
            r"|\bretention\s*(?:of|=|:|for)?\s*(\d{1,4})\s*-?\s*(h|hrs?|hours?|d|days?)\b"
            r"|\bkeep\w*\s+(?:data\s+|records\s+)?(?:for\s+)?(\d{1,4})\s*-?\s*(h|hrs?|hours?|d|days?)\b",
            text,
            re.I,
        )
        if m:
            groups = [g for g in m.groups() if g]
            hours = int(groups[0]) * (24 if groups[1].lower().startswith("d") else 1)
            out["retention_hours"] = max(24, min(8760, hours))
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: KinesisParams = u.params
        if p.shards is None:
            return [
                "On-demand capacity: the stream scales its shards itself (name a shard count to provision)."
            ]
        return []

    def arn(self, u: Unit, s: Scene) -> Any:
        if s.fmt == "terraform":
            return ref(f"aws_kinesis_stream.{u.label}.arn")
        return yamlout.get_att(u.lid, "Arn")

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: KinesisParams = u.params
        body: list[Any] = [("name", p.name)]
        if p.shards is not None:
            body.append(("shard_count", p.shards))
        body += [
            ("retention_period", p.retention_hours),
            ("encryption_type", "KMS"),
            ("kms_key_id", s.key_arn()),
            Block("stream_mode_details", body=[("stream_mode", "PROVISIONED" if p.shards else "ON_DEMAND")]),
        ]
        s.output(f"{u.label}_stream_arn", self.arn(u, s), "ARN of the stream.")
        return [resource("aws_kinesis_stream", u.label, *body)]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: KinesisParams = u.params
        props: dict[str, Any] = {"Name": p.name}
        if p.shards is not None:
            props["ShardCount"] = p.shards
        props.update(
            {
                "RetentionPeriodHours": p.retention_hours,
                "StreamEncryption": {"EncryptionType": "KMS", "KeyId": s.key_arn()},
                "StreamModeDetails": {"StreamMode": "PROVISIONED" if p.shards else "ON_DEMAND"},
                "Tags": s.cfn_tags(p.name),
            }
        )
        s.output(f"{u.label}_stream_arn", self.arn(u, s), "ARN of the stream.")
        return {u.lid: cfn("AWS::Kinesis::Stream", props)}
