"""GitHub Actions OIDC: the identity provider and a role that only the named repository (and
branch or environment) can assume, with the permissions the request names and nothing else."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.features import Features
from tools.iac.hcl import Call, interp, ref

ISSUER = "token.actions.githubusercontent.com"


class OidcParams(BlockParams):
    name: str = Field(default="github-actions-deploy", pattern=r"^[A-Za-z0-9+=,.@_-]{1,64}$")
    repository: str = Field(default="my-org/my-repo", pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.*-]+$")
    ref: str = Field(
        default="ref:refs/heads/main",
        pattern=r"^(?:ref:refs/(?:heads|tags)/[A-Za-z0-9_./*-]+|environment:[A-Za-z0-9_.-]+|pull_request|\*)$",
    )
    managed_policy: str | None = Field(default=None, pattern=r"^[A-Za-z0-9+=,.@_-]{1,128}$")


class GithubOidc(BlockSpec):
    kind: ClassVar[str] = "github_oidc"
    title: ClassVar[str] = "GitHub Actions OIDC role"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bgithub(?:\s+actions?)?(?:\s+oidc)?(?:\s+(?:role|provider|federation|trust))?\b",
        r"\boidc(?:\s+(?:role|provider))?\b",
    )
    params_model: ClassVar[type[BlockParams]] = OidcParams
    tf_type: ClassVar[str] = "aws_iam_openid_connect_provider"
    cfn_type: ClassVar[str] = "AWS::IAM::OIDCProvider"
    design: ClassVar[tuple[str, ...]] = (
        "OIDC: no long-lived keys; only the named repository and branch can assume the role (sub and aud "
        "conditions), for at most an hour, with only the permissions you name.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("write", "s3_bucket"), ("write", "ecr_repository"), ("read", "s3_bucket"), ("write", "lambda")}
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        m = re.search(
            r"\brepo(?:sitory)?[:\s]+([A-Za-z0-9_.-]+/[A-Za-z0-9_.*-]+)", f.text, re.I
        ) or re.search(r"\b([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)\b(?=\s+(?:repo|repository))", f.text)
        if m:
            out["repository"] = m.group(1)
        m = re.search(
            r"\bbranch\s+[\"'`]?([A-Za-z0-9_./-]+)|\bon\s+(?:the\s+)?([A-Za-z0-9_./-]+)\s+branch",
            f.text,
            re.I,
        )
        if m and (m.group(1) or m.group(2)).lower() not in ("the", "a", "push", "every", "each"):
            out["ref"] = f"ref:refs/heads/{m.group(1) or m.group(2)}"
        m = re.search(r"\benvironment\s+[\"'`]?([A-Za-z0-9_.-]+)", f.text, re.I)
        if m and m.group(1).lower() not in ("the", "a"):
            out["ref"] = f"environment:{m.group(1)}"
        name = named(f, text, "role")
        if name:
            out["name"] = name
        m = re.search(r"\b(ReadOnlyAccess|PowerUserAccess|ViewOnlyAccess)\b", f.text)
        if m:
            out["managed_policy"] = m.group(1)
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        if u.params.repository == "my-org/my-repo":
            return [
                "Set `github_repository` to your owner/repo: only that repository's workflows can "
                "assume the role."
            ]
        return []

    def _trust(self, u: Unit, s: Scene, provider: Any, repo: Any) -> dict[str, Any]:
        p: OidcParams = u.params
        sub = (
            interp(f"repo:${{var.github_repository}}:{p.ref}")
            if s.fmt == "terraform"
            else yamlout.sub(f"repo:${{GithubRepository}}:{p.ref}")
        )
        del repo
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com", f"{ISSUER}:sub": sub}
                    },
                }
            ],
        }

    def terraform(self, u: Unit, s: Scene) -> list[Any]:
        p: OidcParams = u.params
        repo = s.var("github_repository", "string", p.repository, "owner/repo allowed to assume the role.")
        statements = s.grants(u)
        blocks = [
            resource(
                "aws_iam_openid_connect_provider",
                u.label,
                ("url", f"https://{ISSUER}"),
                ("client_id_list", ["sts.amazonaws.com"]),
            ),
            resource(
                "aws_iam_role",
                f"{u.label}_role",
                ("name", p.name),
                ("max_session_duration", 3600),
                (
                    "assume_role_policy",
                    Call(
                        "jsonencode",
                        self._trust(u, s, ref(f"aws_iam_openid_connect_provider.{u.label}.arn"), repo),
                    ),
                ),
            ),
        ]
        if statements:
            blocks.append(
                resource(
                    "aws_iam_role_policy",
                    f"{u.label}_role",
                    ("name", "least-privilege"),
                    ("role", ref(f"aws_iam_role.{u.label}_role.id")),
                    (
                        "policy",
                        Call(
                            "jsonencode",
                            {"Version": "2012-10-17", "Statement": [st.json() for st in statements]},
                        ),
                    ),
                )
            )
        if p.managed_policy:
            s.partition()
            blocks.append(
                resource(
                    "aws_iam_role_policy_attachment",
                    f"{u.label}_role",
                    ("role", ref(f"aws_iam_role.{u.label}_role.name")),
                    (
                        "policy_arn",
                        interp(
                            f"arn:${{data.aws_partition.current.partition}}:iam::aws:policy/{p.managed_policy}"
                        ),
                    ),
                )
            )
        s.output(
            f"{u.label}_role_arn",
            ref(f"aws_iam_role.{u.label}_role.arn"),
            "Role ARN for aws-actions/configure-aws-credentials.",
        )
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: OidcParams = u.params
        repo = s.var("github_repository", "string", p.repository, "owner/repo allowed to assume the role.")
        props: dict[str, Any] = {
            "RoleName": p.name,
            "MaxSessionDuration": 3600,
            "AssumeRolePolicyDocument": self._trust(u, s, yamlout.ref(u.lid), repo),
        }
        statements = s.grants(u)
        if statements:
            props["Policies"] = [
                {
                    "PolicyName": "least-privilege",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [st.json() for st in statements],
                    },
                }
            ]
        if p.managed_policy:
            props["ManagedPolicyArns"] = [
                yamlout.sub(f"arn:${{AWS::Partition}}:iam::aws:policy/{p.managed_policy}")
            ]
        s.output(
            f"{u.label}_role_arn",
            yamlout.get_att(f"{u.lid}Role", "Arn"),
            "Role ARN for aws-actions/configure-aws-credentials.",
        )
        return {
            u.lid: cfn(
                "AWS::IAM::OIDCProvider", {"Url": f"https://{ISSUER}", "ClientIdList": ["sts.amazonaws.com"]}
            ),
            f"{u.lid}Role": cfn("AWS::IAM::Role", props),
        }
