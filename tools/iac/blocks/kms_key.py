"""KMS key: the composition's customer-managed key, with yearly rotation and a key policy that
lets the account administer it through IAM and lets only the services that encrypt with it on
their own (CloudWatch Logs, CloudTrail, SNS, EventBridge, CloudFront) use it, from this account."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, named, resource, retained
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, interp, ref


class KmsParams(BlockParams):
    name: str = Field(default="app", pattern=r"^[A-Za-z0-9/_-]{1,250}$")
    deletion_days: int = Field(default=30, ge=7, le=30)


def _principal(service: str, s: Scene) -> Any:
    if service == "logs":
        return (
            interp("logs.${var.region}.amazonaws.com")
            if s.fmt == "terraform"
            else yamlout.sub("logs.${AWS::Region}.amazonaws.com")
        )
    return service if "." in service else f"{service}.amazonaws.com"


def _condition(service: str, s: Scene) -> dict[str, Any]:
    account = s.account_id()
    if service == "logs":
        arn: Any = (
            interp(
                "arn:${data.aws_partition.current.partition}:logs:${var.region}:${data.aws_caller_identity.current.account_id}:*"
            )
            if s.fmt == "terraform"
            else yamlout.sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*")
        )
        s.partition()
        return {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": arn}}
    return {"StringEquals": {"aws:SourceAccount": account}}


class KmsKey(BlockSpec):
    kind: ClassVar[str] = "kms_key"
    title: ClassVar[str] = "Customer-managed KMS key"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bkms\s+keys?\b",
        r"\bcmks?\b",
        r"\bcustomer[\s-]managed\s+(?:kms\s+)?keys?\b",
        r"\bkms\b",
    )
    params_model: ClassVar[type[BlockParams]] = KmsParams
    tf_type: ClassVar[str] = "aws_kms_key"
    cfn_type: ClassVar[str] = "AWS::KMS::Key"
    design: ClassVar[tuple[str, ...]] = (
        "One customer-managed KMS key with yearly rotation; its policy names each service that uses it.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "read": ("kms:Decrypt",),
        "write": ("kms:Encrypt", "kms:GenerateDataKey"),
    }

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        m = re.search(r"\balias\s+(?:alias/)?([A-Za-z0-9/_-]+)", text, re.I)
        name = m.group(1) if m else named(f, text, "key")
        if name:
            out["name"] = name
        m = re.search(r"\b(\d{1,2})\s*-?\s*days?\s+(?:deletion|pending|waiting)", text, re.I)
        if m:
            out["deletion_days"] = int(m.group(1))
        return out

    def arn(self, u: Unit, s: Scene) -> Any:
        return s.key_arn()

    def _policy(self, s: Scene) -> dict[str, Any]:
        root: Any = (
            interp(
                "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
            )
            if s.fmt == "terraform"
            else yamlout.sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")
        )
        s.account_id()
        s.partition()
        statements: list[dict[str, Any]] = [
            {
                "Sid": "AccountAdministersKeyThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
        for service, sid in s.key_services.items():
            statements.append(
                {
                    "Sid": f"Allow{sid}",
                    "Effect": "Allow",
                    "Principal": {"Service": _principal(service, s)},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": _condition(service, s),
                }
            )
        return {"Version": "2012-10-17", "Statement": statements}

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: KmsParams = u.params
        s.key_arn()
        s.output("kms_key_arn", ref("aws_kms_key.main.arn"), "ARN of the customer-managed key.")
        return [
            resource(
                "aws_kms_key",
                "main",
                ("description", f"Encrypts {p.name} data"),
                ("enable_key_rotation", True),
                ("deletion_window_in_days", p.deletion_days),
                ("policy", Call("jsonencode", self._policy(s))),
            ),
            resource(
                "aws_kms_alias",
                "main",
                ("name", f"alias/{p.name}"),
                ("target_key_id", ref("aws_kms_key.main.key_id")),
            ),
        ]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: KmsParams = u.params
        s.output("kms_key_arn", yamlout.get_att("Key", "Arn"), "ARN of the customer-managed key.")
        return {
            "Key": retained(
                "AWS::KMS::Key",
                {
                    "Description": f"Encrypts {p.name} data",
                    "EnableKeyRotation": True,
                    "PendingWindowInDays": p.deletion_days,
                    "KeyPolicy": self._policy(s),
                },
            ),
            "KeyAlias": {
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": f"alias/{p.name}", "TargetKeyId": yamlout.ref("Key")},
            },
        }
