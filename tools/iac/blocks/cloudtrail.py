"""CloudTrail trail: multi-region, log file validation, encrypted with the shared CMK, delivered
to a private bucket whose policy lets only this trail write, and to a CloudWatch log group."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Relation, Scene, Stmt, Unit, cfn, named, resource
from tools.iac.blocks.cloudwatch_log_group import log_group
from tools.iac.features import Features
from tools.iac.hcl import Block, interp, ref


class TrailParams(BlockParams):
    name: str = Field(default="organization-trail", pattern=r"^[A-Za-z0-9._-]{3,128}$")
    multi_region: bool = True
    data_events: bool = False
    retention_days: int = Field(default=365, ge=1, le=3653)


class CloudTrail(BlockSpec):
    kind: ClassVar[str] = "cloudtrail"
    title: ClassVar[str] = "CloudTrail trail"
    nouns: ClassVar[tuple[str, ...]] = (r"\bcloud\s?trail(?:\s+trails?)?\b", r"\baudit\s+trail\b")
    params_model: ClassVar[type[BlockParams]] = TrailParams
    tf_type: ClassVar[str] = "aws_cloudtrail"
    cfn_type: ClassVar[str] = "AWS::CloudTrail::Trail"
    design: ClassVar[tuple[str, ...]] = (
        "Trail: all regions, log file validation, KMS encryption, delivered to a private bucket only it can "
        "write to, and to a log group for alerting.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("deliver", "s3_bucket")})
    requires: ClassVar[tuple[tuple[Relation, str], ...]] = (("deliver", "s3_bucket"),)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "trail")
        if name:
            out["name"] = name
        if re.search(
            r"\bsingle[\s-]region\b|\bone\s+region\b|\bonly\s+(?:in\s+)?(?:this|one)\s+region\b", text, re.I
        ):
            out["multi_region"] = False
        if re.search(r"\bdata\s+events?\b|\bs3\s+object[\s-]level\b", text, re.I):
            out["data_events"] = True
        return out

    def _arn(self, u: Unit, s: Scene) -> Any:
        if s.fmt == "terraform":
            return interp(
                f"arn:${{data.aws_partition.current.partition}}:cloudtrail:${{var.region}}:${{data.aws_caller_identity.current.account_id}}:trail/{u.params.name}"
            )
        return yamlout.sub(
            f"arn:${{AWS::Partition}}:cloudtrail:${{AWS::Region}}:${{AWS::AccountId}}:trail/{u.params.name}"
        )

    def bucket_statements(self, u: Unit, bucket: Unit, s: Scene) -> list[dict[str, Any]]:
        s.partition()
        s.account_id()
        arn = bucket.block.arn(bucket, s)
        prefix = (
            interp(
                f"${{aws_s3_bucket.{bucket.label}.arn}}/AWSLogs/${{data.aws_caller_identity.current.account_id}}/*"
            )
            if s.fmt == "terraform"
            else yamlout.sub(f"${{{bucket.lid}.Arn}}/AWSLogs/${{AWS::AccountId}}/*")
        )
        cond = {"StringEquals": {"aws:SourceArn": self._arn(u, s)}}
        return [
            {
                "Sid": "CloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": arn,
                "Condition": cond,
            },
            {
                "Sid": "CloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": prefix,
                "Condition": cond,
            },
        ]

    def _bucket(self, u: Unit, s: Scene) -> Unit:
        bucket = next((b for b in s.out_of(u, "deliver") if b.kind == "s3_bucket"), None)
        if bucket is None:
            raise ValueError("a trail needs a bucket")
        return bucket

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: TrailParams = u.params
        bucket = self._bucket(u, s)
        key = s.key_arn("cloudtrail.amazonaws.com", "CloudTrail")
        logs, _ = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/cloudtrail/{p.name}", p.retention_days)
        role, _ = s.role(
            u,
            "cloudtrail.amazonaws.com",
            [
                Stmt(
                    "DeliverToLogGroup",
                    ("logs:CreateLogStream", "logs:PutLogEvents"),
                    (interp(f"${{aws_cloudwatch_log_group.{u.label}_logs.arn}}:*"),),
                )
            ],
        )
        body: list[Any] = [
            ("name", p.name),
            ("s3_bucket_name", ref(f"aws_s3_bucket.{bucket.label}.id")),
            ("is_multi_region_trail", p.multi_region),
            ("include_global_service_events", True),
            ("enable_log_file_validation", True),
            ("kms_key_id", key),
            ("cloud_watch_logs_group_arn", interp(f"${{aws_cloudwatch_log_group.{u.label}_logs.arn}}:*")),
            ("cloud_watch_logs_role_arn", s.role_arn(u)),
        ]
        if p.data_events:
            body.append(
                Block(
                    "event_selector",
                    body=[
                        ("read_write_type", "All"),
                        ("include_management_events", True),
                        Block(
                            "data_resource",
                            body=[
                                ("type", "AWS::S3::Object"),
                                ("values", [interp("arn:${data.aws_partition.current.partition}:s3")]),
                            ],
                        ),
                    ],
                )
            )
        body.append(("depends_on", [ref(f"aws_s3_bucket_policy.{bucket.label}")]))
        s.output(f"{u.label}_trail_arn", ref(f"aws_cloudtrail.{u.label}.arn"), "ARN of the trail.")
        return [*logs, *role, resource("aws_cloudtrail", u.label, *body)]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: TrailParams = u.params
        bucket = self._bucket(u, s)
        key = s.key_arn("cloudtrail.amazonaws.com", "CloudTrail")
        _, out = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/cloudtrail/{p.name}", p.retention_days)
        _, role = s.role(
            u,
            "cloudtrail.amazonaws.com",
            [
                Stmt(
                    "DeliverToLogGroup",
                    ("logs:CreateLogStream", "logs:PutLogEvents"),
                    (yamlout.sub(f"${{{u.lid}Logs.Arn}}:*"),),
                )
            ],
        )
        out.update(role)
        props: dict[str, Any] = {
            "TrailName": p.name,
            "S3BucketName": yamlout.ref(bucket.lid),
            "IsLogging": True,
            "IsMultiRegionTrail": p.multi_region,
            "IncludeGlobalServiceEvents": True,
            "EnableLogFileValidation": True,
            "KMSKeyId": key,
            "CloudWatchLogsLogGroupArn": yamlout.get_att(f"{u.lid}Logs", "Arn"),
            "CloudWatchLogsRoleArn": s.role_arn(u),
        }
        if p.data_events:
            props["EventSelectors"] = [
                {
                    "ReadWriteType": "All",
                    "IncludeManagementEvents": True,
                    "DataResources": [
                        {"Type": "AWS::S3::Object", "Values": [yamlout.sub("arn:${AWS::Partition}:s3")]}
                    ],
                }
            ]
        out[u.lid] = cfn("AWS::CloudTrail::Trail", props, DependsOn=[f"{bucket.lid}Policy"])
        s.output(f"{u.label}_trail_arn", yamlout.get_att(u.lid, "Arn"), "ARN of the trail.")
        return out
