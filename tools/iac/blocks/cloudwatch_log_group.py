"""CloudWatch log group: retention set and encrypted with the shared CMK. Other blocks (Lambda,
Step Functions, API access logs, flow logs, ECS) create theirs through `log_group`."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, resource, retained
from tools.iac.features import Features
from tools.iac.hcl import Block, Expr

RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


class LogGroupParams(BlockParams):
    name: str = Field(default="/app/logs", pattern=r"^[\.\-_/#A-Za-z0-9]{1,512}$")
    retention_days: int = 365


def retention(days: int) -> int:
    """The smallest retention CloudWatch offers that keeps logs at least `days`."""
    return next((d for d in RETENTION_DAYS if d >= days), 3653)


def log_group(
    s: Scene, label: str, lid: str, name: Any, days: int = 365
) -> tuple[list[Block], dict[str, Any]]:
    """A log group for another block: Terraform `aws_cloudwatch_log_group.<label>` / `<lid>`."""
    key = s.key_arn("logs", "CloudWatchLogs")
    if s.fmt == "terraform":
        return [
            resource(
                "aws_cloudwatch_log_group",
                label,
                ("name", name),
                ("retention_in_days", retention(days)),
                ("kms_key_id", key),
            )
        ], {}
    return [], {
        lid: retained(
            "AWS::Logs::LogGroup",
            {"LogGroupName": name, "RetentionInDays": retention(days), "KmsKeyId": key},
            "Delete",
        )
    }


def log_group_arn(s: Scene, label: str, lid: str) -> Any:
    if s.fmt == "terraform":
        return Expr(f"aws_cloudwatch_log_group.{label}.arn")
    return yamlout.get_att(lid, "Arn")


class CloudWatchLogGroup(BlockSpec):
    kind: ClassVar[str] = "log_group"
    title: ClassVar[str] = "CloudWatch log group"
    nouns: ClassVar[tuple[str, ...]] = (r"\blog\s+groups?\b", r"\bcloudwatch\s+logs?\b")
    params_model: ClassVar[type[BlockParams]] = LogGroupParams
    tf_type: ClassVar[str] = "aws_cloudwatch_log_group"
    cfn_type: ClassVar[str] = "AWS::Logs::LogGroup"
    design: ClassVar[tuple[str, ...]] = ("Log group: a retention period and encryption with the shared CMK.",)
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "write": ("logs:CreateLogStream", "logs:PutLogEvents"),
        "read": ("logs:GetLogEvents", "logs:FilterLogEvents"),
    }

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        m = re.search(r"(/[A-Za-z0-9._/#-]+)", text)
        if m:
            out["name"] = m.group(1)
        m = re.search(r"\b(\d{1,4})\s*-?\s*(day|month|year)s?\b", text, re.I)
        if m:
            n = int(m.group(1)) * {"day": 1, "month": 30, "year": 365}[m.group(2).lower()]
            out["retention_days"] = n
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        days = u.params.retention_days
        kept = retention(days)
        return (
            [] if kept == days else [f"CloudWatch offers no {days}-day retention; logs are kept {kept} days."]
        )

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        blocks, _ = log_group(s, u.label, u.lid, u.params.name, u.params.retention_days)
        s.output(
            f"{u.label}_log_group", Expr(f"aws_cloudwatch_log_group.{u.label}.name"), "Name of the log group."
        )
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        _, resources = log_group(s, u.label, u.lid, u.params.name, u.params.retention_days)
        return resources
