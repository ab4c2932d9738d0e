"""SSM Parameter Store parameter: a SecureString encrypted with the shared CMK whose value comes
from a sensitive variable (never written into the code); readers get ssm:GetParameter on this
parameter only, plus decrypt on the key. CloudFormation cannot create SecureString parameters,
so there it is a String parameter and the answer says so."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, Comment, ref

# Why a parameter asked for as a plain String stays one (checkov's CKV2_AWS_34).
PLAIN = "a plain String was asked for: a non-secret value (secrets belong in SecureString)"


class SsmParams(BlockParams):
    name: str = Field(default="/app/config", pattern=r"^/?[A-Za-z0-9_.\-/]{1,1011}$")
    type: Literal["SecureString", "String", "StringList"] = "SecureString"
    value: str | None = Field(default=None, max_length=4096)


class SsmParameter(BlockSpec):
    kind: ClassVar[str] = "ssm_parameter"
    title: ClassVar[str] = "SSM parameter"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bssm\s+param(?:eter)?s?\b",
        r"\bparameter\s+store(?:\s+param(?:eter)?s?)?\b",
    )
    params_model: ClassVar[type[BlockParams]] = SsmParams
    tf_type: ClassVar[str] = "aws_ssm_parameter"
    cfn_type: ClassVar[str] = "AWS::SSM::Parameter"
    design: ClassVar[tuple[str, ...]] = (
        "Parameter: SecureString with the shared CMK, its value from a sensitive variable, readers scoped "
        "to this parameter.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "read": ("ssm:GetParameter", "ssm:GetParameters"),
        "write": ("ssm:PutParameter", "ssm:GetParameter"),
    }
    examples: ClassVar[tuple[str, ...]] = ("an ssm parameter /prod/app/db-host read by a lambda",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        m = re.search(r"(?<![\w:])(/[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)*)", text)
        if m:
            out["name"] = m.group(1)
        else:
            m = re.search(r"\b(?:named|called)\s+[\"'`]?([A-Za-z0-9_.\-/]+)", text, re.I)
            if m:
                out["name"] = m.group(1)
        if re.search(r"\bstring\s*list\b", text, re.I):
            out["type"] = "StringList"
        elif re.search(r"\b(?:plain\s+)?string\b(?!\s*list)", text, re.I) and not re.search(
            r"\bsecure\s*string\b", text, re.I
        ):
            out["type"] = "String"
        m = re.search(r"(?:\bvalue\s*(?:of|=|:)?|=)\s*[\"'`]([^\"'`]{1,200})[\"'`]", text, re.I)
        if m:
            out["value"] = m.group(1)
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: SsmParams = u.params
        if s.fmt == "cloudformation" and p.type == "SecureString":
            return [
                "CloudFormation cannot create SecureString parameters: this one is a String, so keep "
                "secrets out of it (use a Secrets Manager secret for those), or ask for Terraform."
            ]
        if p.type == "SecureString":
            return [
                f"Set the value of {p.name} with the sensitive variable (it is never written into the code)."
            ]
        return []

    def _name(self, u: Unit) -> str:
        name: str = u.params.name
        return name if name.startswith("/") or "/" not in name else "/" + name

    def arn(self, u: Unit, s: Scene) -> Any:
        if s.fmt == "terraform":
            return ref(f"aws_ssm_parameter.{u.label}.arn")
        path = self._name(u)
        sep = "" if path.startswith("/") else "/"
        return yamlout.sub(
            f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{sep}{path}"
        )

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: SsmParams = u.params
        var = f"{u.label}_value"
        if var not in s.tf_vars:
            body: list[Any] = [("description", f"Value of {self._name(u)}."), ("type", ref("string"))]
            if p.value is not None:
                body.append(("default", p.value))
            if p.type == "SecureString":
                body.append(("sensitive", True))
            s.tf_vars[var] = Block("variable", (var,), body)
        params: list[Any] = []
        if p.type != "SecureString":
            params.append(Comment(f"checkov:skip=CKV2_AWS_34:{PLAIN}"))
        params += [
            ("name", self._name(u)),
            ("description", f"{self._name(u)} ({p.type})"),
            ("type", p.type),
            ("value", ref(f"var.{var}")),
        ]
        if p.type == "SecureString":
            params.append(("key_id", s.key_arn()))
        s.output(f"{u.label}_parameter_arn", ref(f"aws_ssm_parameter.{u.label}.arn"), "ARN of the parameter.")
        return [resource("aws_ssm_parameter", u.label, *params)]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: SsmParams = u.params
        value = s.var(f"{u.label}_value", "string", p.value, f"Value of {self._name(u)}.")
        kind = "StringList" if p.type == "StringList" else "String"
        return {
            u.lid: cfn(
                "AWS::SSM::Parameter",
                {
                    "Name": self._name(u),
                    "Description": f"{self._name(u)} ({kind})",
                    "Type": kind,
                    "Value": value,
                    "Tier": "Standard",
                },
            )
        }
