"""DynamoDB table: on demand, point-in-time recovery, deletion protection, encrypted with the
shared CMK; a stream when something is triggered by it; TTL when asked."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, named, resource, retained
from tools.iac.features import Features
from tools.iac.hcl import Block, ref

KEY = r"^[A-Za-z_][A-Za-z0-9_.-]{0,254}$"


class DynamoParams(BlockParams):
    name: str = Field(default="items", pattern=r"^[A-Za-z0-9_.-]{3,255}$")
    hash_key: str = Field(default="pk", pattern=KEY)
    range_key: str | None = Field(default=None, pattern=KEY)
    ttl_attribute: str | None = Field(default=None, pattern=KEY)


class DynamoDbTable(BlockSpec):
    kind: ClassVar[str] = "dynamodb_table"
    title: ClassVar[str] = "DynamoDB table"
    nouns: ClassVar[tuple[str, ...]] = (r"\bdynamo\s?db(?:\s+tables?)?\b", r"\bdynamo\b")
    params_model: ClassVar[type[BlockParams]] = DynamoParams
    tf_type: ClassVar[str] = "aws_dynamodb_table"
    cfn_type: ClassVar[str] = "AWS::DynamoDB::Table"
    design: ClassVar[tuple[str, ...]] = (
        "Table: on demand, PITR, deletion protection, encrypted with the shared CMK.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "read": ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"),
        "write": (
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:BatchWriteItem",
        ),
    }
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("trigger", "lambda")})

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "table")
        if name:
            out["name"] = name
        m = re.search(
            r"\b(?:(?:partition|hash|primary)\s+key\s+(?:of\s+|named\s+)?|keyed\s+(?:on|by)\s+|pk\s*[:=]?\s*)[\"'`]?"
            r"([A-Za-z_][A-Za-z0-9_.-]*)",
            text,
            re.I,
        )
        if m:
            out["hash_key"] = m.group(1)
        m = re.search(
            r"\b(?:(?:sort|range)\s+key\s+(?:of\s+|named\s+)?|sk\s*[:=]?\s*)[\"'`]?([A-Za-z_][A-Za-z0-9_.-]*)",
            text,
            re.I,
        )
        if m:
            out["range_key"] = m.group(1)
        if re.search(r"\bttl\b|time[\s-]to[\s-]live", text, re.I):
            m = re.search(r"\bttl\s+(?:on\s+|attribute\s+)?[\"'`]?([A-Za-z_][A-Za-z0-9_]*)", text, re.I)
            out["ttl_attribute"] = (
                m.group(1)
                if m and m.group(1).lower() not in ("on", "enabled", "and", "with", "attribute")
                else "expires_at"
            )
        return out

    def stream_arn(self, u: Unit, s: Scene) -> Any:
        return (
            ref(f"aws_dynamodb_table.{u.label}.stream_arn")
            if s.fmt == "terraform"
            else yamlout.get_att(u.lid, "StreamArn")
        )

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: DynamoParams = u.params
        keys = [p.hash_key] + ([p.range_key] if p.range_key else [])
        body: list[Any] = [("name", p.name), ("billing_mode", "PAY_PER_REQUEST"), ("hash_key", p.hash_key)]
        if p.range_key:
            body.append(("range_key", p.range_key))
        body.append(("deletion_protection_enabled", True))
        if s.out_of(u, "trigger"):
            body += [("stream_enabled", True), ("stream_view_type", "NEW_AND_OLD_IMAGES")]
        body += [Block("attribute", body=[("name", k), ("type", "S")]) for k in keys]
        body.append(Block("point_in_time_recovery", body=[("enabled", True)]))
        body.append(Block("server_side_encryption", body=[("enabled", True), ("kms_key_arn", s.key_arn())]))
        if p.ttl_attribute:
            body.append(Block("ttl", body=[("attribute_name", p.ttl_attribute), ("enabled", True)]))
        s.output(f"{u.label}_table_name", ref(f"aws_dynamodb_table.{u.label}.name"), "Name of the table.")
        return [resource("aws_dynamodb_table", u.label, *body)]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: DynamoParams = u.params
        keys = [p.hash_key] + ([p.range_key] if p.range_key else [])
        props: dict[str, Any] = {
            "TableName": p.name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k in keys],
            "KeySchema": [{"AttributeName": p.hash_key, "KeyType": "HASH"}]
            + ([{"AttributeName": p.range_key, "KeyType": "RANGE"}] if p.range_key else []),
            "DeletionProtectionEnabled": True,
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": s.key_arn()},
        }
        if s.out_of(u, "trigger"):
            props["StreamSpecification"] = {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        if p.ttl_attribute:
            props["TimeToLiveSpecification"] = {"AttributeName": p.ttl_attribute, "Enabled": True}
        s.output(f"{u.label}_table_name", yamlout.ref(u.lid), "Name of the table.")
        return {u.lid: retained("AWS::DynamoDB::Table", props)}
