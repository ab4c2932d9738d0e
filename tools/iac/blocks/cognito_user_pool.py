"""Cognito user pool with its app client: sign-in by verified email, MFA with an authenticator
app, a strong password policy, deletion protection; the client is public (no secret, as a mobile
or browser app cannot keep one), SRP sign-in only, short-lived tokens that can be revoked, and
"user not found" answers that do not reveal which accounts exist."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, ref

_AUTH_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


class CognitoParams(BlockParams):
    name: str = Field(default="app-users", pattern=r"^[\w\s+=,.@-]{1,128}$")
    mfa: Literal["ON", "OPTIONAL"] = "ON"
    password_length: int = Field(default=14, ge=8, le=99)
    # A confidential client (a server-side app) gets a secret; apps on devices cannot keep one.
    client_secret: bool = False


class CognitoUserPool(BlockSpec):
    kind: ClassVar[str] = "cognito_user_pool"
    title: ClassVar[str] = "Cognito user pool"
    nouns: ClassVar[tuple[str, ...]] = (
        # Not an identity pool (federated AWS credentials): no block builds that.
        r"\bcognito(?!\s+identity)(?:\s+user\s+pool)?(?:\s*\+?\s*(?:an?\s+)?app\s+client)?\b",
        r"(?<!identity\s)\buser\s+pool\b",
    )
    params_model: ClassVar[type[BlockParams]] = CognitoParams
    tf_type: ClassVar[str] = "aws_cognito_user_pool"
    cfn_type: ClassVar[str] = "AWS::Cognito::UserPool"
    cfn_arn_attr: ClassVar[str] = "Arn"
    default_name: ClassVar[str] = "app-users"
    design: ClassVar[tuple[str, ...]] = (
        "User pool: email sign-in (verified), MFA with an authenticator app, 14-character passwords, "
        "deletion protection; a public app client with SRP sign-in, 60-minute tokens, revocation on, "
        "and no hint of which users exist.",
    )
    examples: ClassVar[tuple[str, ...]] = ("a cognito user pool for the mobile app",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "pool")
        if name:
            out["name"] = name
        if re.search(r"\bmfa\s+(?:is\s+)?optional\b|\boptional\s+mfa\b", text, re.I):
            out["mfa"] = "OPTIONAL"
        m = re.search(
            r"\b(\d{1,2})[\s-]*(?:char(?:acter)?s?)\b|\bpasswords?\s+(?:of\s+)?(?:at\s+least\s+)?(\d{1,2})\b",
            text,
            re.I,
        )
        if m:
            out["password_length"] = int(m.group(1) or m.group(2))
        if re.search(
            r"\b(?:client\s+secret|confidential\s+client|server[\s-]side\s+(?:app|client))\b", text, re.I
        ):
            out["client_secret"] = True
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        return [
            "Sign-up emails come from Cognito's default sender (a low daily quota): configure SES "
            "as the email sender before going live."
        ]

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: CognitoParams = u.params
        pool = resource(
            "aws_cognito_user_pool",
            u.label,
            ("name", p.name),
            ("deletion_protection", "ACTIVE"),
            ("username_attributes", ["email"]),
            ("auto_verified_attributes", ["email"]),
            ("mfa_configuration", p.mfa),
            Block("software_token_mfa_configuration", body=[("enabled", True)]),
            Block(
                "password_policy",
                body=[
                    ("minimum_length", p.password_length),
                    ("require_lowercase", True),
                    ("require_uppercase", True),
                    ("require_numbers", True),
                    ("require_symbols", True),
                    ("temporary_password_validity_days", 3),
                ],
            ),
            Block(
                "account_recovery_setting",
                body=[Block("recovery_mechanism", body=[("name", "verified_email"), ("priority", 1)])],
            ),
            Block("admin_create_user_config", body=[("allow_admin_create_user_only", False)]),
        )
        client = resource(
            "aws_cognito_user_pool_client",
            f"{u.label}_client",
            ("name", f"{p.name}-client"),
            ("user_pool_id", ref(f"aws_cognito_user_pool.{u.label}.id")),
            ("generate_secret", p.client_secret),
            ("explicit_auth_flows", list(_AUTH_FLOWS)),
            ("prevent_user_existence_errors", "ENABLED"),
            ("enable_token_revocation", True),
            ("access_token_validity", 60),
            ("id_token_validity", 60),
            ("refresh_token_validity", 30),
            Block(
                "token_validity_units",
                body=[("access_token", "minutes"), ("id_token", "minutes"), ("refresh_token", "days")],
            ),
        )
        s.output(f"{u.label}_id", ref(f"aws_cognito_user_pool.{u.label}.id"), "ID of the user pool.")
        s.output(
            f"{u.label}_client_id",
            ref(f"aws_cognito_user_pool_client.{u.label}_client.id"),
            "ID of the app client.",
        )
        return [pool, client]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: CognitoParams = u.params
        pool = cfn(
            "AWS::Cognito::UserPool",
            {
                "UserPoolName": p.name,
                "DeletionProtection": "ACTIVE",
                "UsernameAttributes": ["email"],
                "AutoVerifiedAttributes": ["email"],
                "MfaConfiguration": p.mfa,
                "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
                "Policies": {
                    "PasswordPolicy": {
                        "MinimumLength": p.password_length,
                        "RequireLowercase": True,
                        "RequireUppercase": True,
                        "RequireNumbers": True,
                        "RequireSymbols": True,
                        "TemporaryPasswordValidityDays": 3,
                    }
                },
                "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
                # UserPoolTags is a map, not the usual list of Key/Value pairs.
                "UserPoolTags": {t["Key"]: t["Value"] for t in s.cfn_tags(p.name)},
            },
        )
        client = cfn(
            "AWS::Cognito::UserPoolClient",
            {
                "ClientName": f"{p.name}-client",
                "UserPoolId": yamlout.ref(u.lid),
                "GenerateSecret": p.client_secret,
                "ExplicitAuthFlows": list(_AUTH_FLOWS),
                "PreventUserExistenceErrors": "ENABLED",
                "EnableTokenRevocation": True,
                "AccessTokenValidity": 60,
                "IdTokenValidity": 60,
                "RefreshTokenValidity": 30,
                "TokenValidityUnits": {
                    "AccessToken": "minutes",
                    "IdToken": "minutes",
                    "RefreshToken": "days",
                },
            },
        )
        s.output(f"{u.label}_id", yamlout.ref(u.lid), "ID of the user pool.")
        s.output(f"{u.label}_client_id", yamlout.ref(f"{u.lid}Client"), "ID of the app client.")
        return {u.lid: pool, f"{u.lid}Client": client}
