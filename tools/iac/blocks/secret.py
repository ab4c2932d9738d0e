"""Secrets Manager secret: encrypted with the shared CMK, a generated value (never in the code),
rotation on a schedule by the named rotation function (an ARN from the request, else a variable)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, ref

LAMBDA_ARN = r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?"


class SecretParams(BlockParams):
    name: str = Field(default="app/credentials", pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$")
    rotation_days: int = Field(default=30, ge=1, le=1000)
    rotation_lambda_arn: str | None = Field(default=None, pattern=f"^{LAMBDA_ARN}$")
    recovery_days: int = Field(default=7, ge=7, le=30)


class Secret(BlockSpec):
    kind: ClassVar[str] = "secret"
    title: ClassVar[str] = "Secrets Manager secret with rotation"
    nouns: ClassVar[tuple[str, ...]] = (r"\bsecrets?\s+manager(?:\s+secrets?)?\b", r"\bsecrets?\b")
    params_model: ClassVar[type[BlockParams]] = SecretParams
    tf_type: ClassVar[str] = "aws_secretsmanager_secret"
    cfn_type: ClassVar[str] = "AWS::SecretsManager::Secret"
    cfn_arn_attr: ClassVar[str] = ""
    tf_arn_attr: ClassVar[str] = "arn"
    design: ClassVar[tuple[str, ...]] = (
        "Secret: encrypted with the shared CMK, a generated value (none in the code), rotated on a schedule "
        "by a rotation function.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "read": ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
        "write": ("secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue"),
    }

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        m = (
            re.search(r"\b(?:named|called)\s+[\"'`]?([A-Za-z0-9/_+=.@-]{1,200}[A-Za-z0-9])", text, re.I)
            or re.search(r"[\"'`]([A-Za-z0-9/_+=.@-]{1,200})[\"'`]", text)
            or re.search(r"\bsecret\s+([a-z0-9_-]+/[A-Za-z0-9/_+=.@-]+)", text, re.I)
        )
        if m:
            out["name"] = m.group(1)
        m = re.search(r"\b(?:rotat\w+|every)\s+(?:every\s+)?(\d{1,4})\s*days?\b", text, re.I) or re.search(
            r"\b(\d{1,4})[\s-]*days?\s+rotation\b", text, re.I
        )
        if m:
            out["rotation_days"] = int(m.group(1))
        elif re.search(r"\bmonthly\b", text, re.I):
            out["rotation_days"] = 30
        elif re.search(r"\bweekly\b", text, re.I):
            out["rotation_days"] = 7
        m = re.search(LAMBDA_ARN, f.text)
        if m:
            out["rotation_lambda_arn"] = m.group(0)
        return out

    def _rotation_arn(self, u: Unit, s: Scene) -> Any:
        p: SecretParams = u.params
        fn = next((x for x in s.into(u, "attach") + s.out_of(u, "attach") if x.kind == "lambda"), None)
        if fn is not None:
            return fn.block.arn(fn, s)
        return s.var(
            f"{u.label}_rotation_lambda_arn",
            "string",
            p.rotation_lambda_arn,
            "ARN of the Lambda function that rotates the secret (e.g. from the AWS rotation templates).",
        )

    def notes(self, u: Unit, s: Scene) -> list[str]:
        if u.params.rotation_lambda_arn is None and not s.into(u, "attach"):
            return [
                f"Rotation every {u.params.rotation_days} days needs the ARN of a rotation function: "
                f"set `{u.label}_rotation_lambda_arn`."
            ]
        return []

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: SecretParams = u.params
        arn = ref(f"aws_secretsmanager_secret.{u.label}.id")
        s.output(
            f"{u.label}_secret_arn", ref(f"aws_secretsmanager_secret.{u.label}.arn"), "ARN of the secret."
        )
        return [
            resource(
                "aws_secretsmanager_secret",
                u.label,
                ("name", p.name),
                ("description", f"{p.name}, rotated every {p.rotation_days} days"),
                ("kms_key_id", s.key_arn()),
                ("recovery_window_in_days", p.recovery_days),
            ),
            resource(
                "aws_secretsmanager_secret_rotation",
                u.label,
                ("secret_id", arn),
                ("rotation_lambda_arn", self._rotation_arn(u, s)),
                Block("rotation_rules", body=[("automatically_after_days", p.rotation_days)]),
            ),
        ]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: SecretParams = u.params
        s.output(f"{u.label}_secret_arn", yamlout.ref(u.lid), "ARN of the secret.")
        return {
            u.lid: cfn(
                "AWS::SecretsManager::Secret",
                {
                    "Name": p.name,
                    "Description": f"{p.name}, rotated every {p.rotation_days} days",
                    "KmsKeyId": s.key_arn(),
                    "GenerateSecretString": {"PasswordLength": 32, "ExcludePunctuation": True},
                },
            ),
            f"{u.lid}Rotation": cfn(
                "AWS::SecretsManager::RotationSchedule",
                {
                    "SecretId": yamlout.ref(u.lid),
                    "RotationLambdaARN": self._rotation_arn(u, s),
                    "RotationRules": {"AutomaticallyAfterDays": p.rotation_days},
                },
            ),
        }
