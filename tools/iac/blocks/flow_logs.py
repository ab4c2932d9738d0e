"""VPC flow logs: every accepted and rejected flow of a VPC, to a KMS-encrypted log group (with a
role limited to that group) or, when a bucket is named, to that private bucket."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Stmt, Unit, cfn, resource
from tools.iac.blocks.cloudwatch_log_group import log_group
from tools.iac.features import Features
from tools.iac.hcl import Block, interp, ref


class FlowLogParams(BlockParams):
    name: str = Field(default="vpc-flow-logs", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    traffic: Literal["ALL", "ACCEPT", "REJECT"] = "ALL"
    retention_days: int = Field(default=365, ge=1, le=3653)
    vpc_id: str | None = Field(default=None, pattern=r"^vpc-[0-9a-f]{8,17}$")


class FlowLogs(BlockSpec):
    kind: ClassVar[str] = "flow_logs"
    title: ClassVar[str] = "VPC flow logs"
    nouns: ClassVar[tuple[str, ...]] = (r"\b(?:vpc\s+)?flow[\s-]?logs?\b",)
    params_model: ClassVar[type[BlockParams]] = FlowLogParams
    tf_type: ClassVar[str] = "aws_flow_log"
    cfn_type: ClassVar[str] = "AWS::EC2::FlowLog"
    design: ClassVar[tuple[str, ...]] = (
        "Flow logs: all traffic, to a KMS-encrypted log group (or a private bucket) with retention.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("deliver", "s3_bucket"), ("deliver", "log_group")}
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if re.search(r"\breject(?:ed)?\s+(?:traffic\s+)?only\b|\bonly\s+reject", text, re.I):
            out["traffic"] = "REJECT"
        elif re.search(r"\baccept(?:ed)?\s+(?:traffic\s+)?only\b|\bonly\s+accept", text, re.I):
            out["traffic"] = "ACCEPT"
        m = re.search(r"\b(\d{1,4})\s*-?\s*(day|month|year)s?\b", text, re.I)
        if m:
            out["retention_days"] = int(m.group(1)) * {"day": 1, "month": 30, "year": 365}[m.group(2).lower()]
        m = re.search(r"\b(vpc-[0-9a-f]{8,17})\b", f.text)
        if m:
            out["vpc_id"] = m.group(1)
        return out

    def _vpc(self, u: Unit, s: Scene) -> Any:
        if u.params.vpc_id:
            return s.var("flow_logs_vpc_id", "string", u.params.vpc_id, "VPC whose traffic is logged.")
        return s.vpc_id()

    def bucket_statements(self, u: Unit, bucket: Unit, s: Scene) -> list[dict[str, Any]]:
        arn = bucket.block.arn(bucket, s)
        account = s.account_id()
        prefix = (
            interp(
                f"${{aws_s3_bucket.{bucket.label}.arn}}/AWSLogs/${{data.aws_caller_identity.current.account_id}}/*"
            )
            if s.fmt == "terraform"
            else yamlout.sub(f"${{{bucket.lid}.Arn}}/AWSLogs/${{AWS::AccountId}}/*")
        )
        cond = {"StringEquals": {"aws:SourceAccount": account}}
        return [
            {
                "Sid": "FlowLogsAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": arn,
                "Condition": cond,
            },
            {
                "Sid": "FlowLogsWrite",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": prefix,
                "Condition": cond,
            },
        ]

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: FlowLogParams = u.params
        bucket = next(iter(s.out_of(u, "deliver")), None)
        if bucket is not None and bucket.kind == "s3_bucket":
            s.key_arn("delivery.logs.amazonaws.com", "LogDelivery")
            return [
                resource(
                    "aws_flow_log",
                    u.label,
                    ("vpc_id", self._vpc(u, s)),
                    ("traffic_type", p.traffic),
                    ("log_destination_type", "s3"),
                    ("log_destination", ref(f"aws_s3_bucket.{bucket.label}.arn")),
                    ("max_aggregation_interval", 60),
                )
            ]
        logs, _ = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/vpc/{p.name}", p.retention_days)
        group_arn = ref(f"aws_cloudwatch_log_group.{u.label}_logs.arn")
        role, _ = s.role(
            u,
            "vpc-flow-logs.amazonaws.com",
            [
                Stmt(
                    "WriteFlowLogs",
                    ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"),
                    (interp(f"${{aws_cloudwatch_log_group.{u.label}_logs.arn}}:*"),),
                )
            ],
        )
        s.output(
            f"{u.label}_log_group",
            ref(f"aws_cloudwatch_log_group.{u.label}_logs.name"),
            "Log group receiving the flow logs.",
        )
        return [
            *logs,
            *role,
            resource(
                "aws_flow_log",
                u.label,
                ("vpc_id", self._vpc(u, s)),
                ("traffic_type", p.traffic),
                ("log_destination_type", "cloud-watch-logs"),
                ("log_destination", group_arn),
                ("iam_role_arn", s.role_arn(u)),
                ("max_aggregation_interval", 60),
            ),
        ]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: FlowLogParams = u.params
        bucket = next(iter(s.out_of(u, "deliver")), None)
        if bucket is not None and bucket.kind == "s3_bucket":
            s.key_arn("delivery.logs.amazonaws.com", "LogDelivery")
            return {
                u.lid: cfn(
                    "AWS::EC2::FlowLog",
                    {
                        "ResourceId": self._vpc(u, s),
                        "ResourceType": "VPC",
                        "TrafficType": p.traffic,
                        "LogDestinationType": "s3",
                        "LogDestination": yamlout.get_att(bucket.lid, "Arn"),
                        "MaxAggregationInterval": 60,
                    },
                    DependsOn=[f"{bucket.lid}Policy"],
                )
            }
        _, out = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/vpc/{p.name}", p.retention_days)
        _, role = s.role(
            u,
            "vpc-flow-logs.amazonaws.com",
            [
                Stmt(
                    "WriteFlowLogs",
                    ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"),
                    (yamlout.sub(f"${{{u.lid}Logs.Arn}}:*"),),
                )
            ],
        )
        out.update(role)
        out[u.lid] = cfn(
            "AWS::EC2::FlowLog",
            {
                "ResourceId": self._vpc(u, s),
                "ResourceType": "VPC",
                "TrafficType": p.traffic,
                "LogDestinationType": "cloud-watch-logs",
                "LogDestination": yamlout.get_att(f"{u.lid}Logs", "Arn"),
                "DeliverLogsPermissionArn": s.role_arn(u),
                "MaxAggregationInterval": 60,
            },
        )
        return out
