"""Identity building blocks: IAM users (console password, MFA, access keys), groups, managed
policies and the password policy; and KMS keys, whose policies say who may use them.

IAM is global: its calls go to the account's primary region and its resources are recorded in
the region "global".
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.manifest import GLOBAL
from sandbox.seeding.account import SeedAccount


def user(
    a: SeedAccount,
    name: str,
    team: str,
    *,
    console: bool,
    mfa: bool,
    access_keys: int = 0,
    groups: tuple[str, ...] = (),
    policy_arn: str | None = None,
) -> str:
    iam = a.client("iam", a.primary)
    iam.create_user(
        UserName=name,
        Tags=[{"Key": "team", "Value": team}, {"Key": "owner", "Value": f"{name}@acme.example"}],
    )
    if console:
        iam.create_login_profile(
            UserName=name, Password="Sandbox-only-Pa55word!", PasswordResetRequired=False
        )
    if mfa:
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        iam.enable_mfa_device(
            UserName=name,
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )
    for _ in range(access_keys):
        iam.create_access_key(UserName=name)
    for group_name in groups:
        iam.add_user_to_group(GroupName=group_name, UserName=name)
    if policy_arn:
        iam.attach_user_policy(UserName=name, PolicyArn=policy_arn)
    return a.add("iam_user", name, name, GLOBAL)


def managed_policy(a: SeedAccount, name: str, document: dict[str, Any]) -> str:
    """Create a customer-managed policy; returns its ARN."""
    iam = a.client("iam", a.primary)
    arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    a.add("iam_policy", name, name, GLOBAL)
    return str(arn)


def group(a: SeedAccount, name: str, policy_arn: str | None = None) -> str:
    iam = a.client("iam", a.primary)
    iam.create_group(GroupName=name)
    if policy_arn:
        iam.attach_group_policy(GroupName=name, PolicyArn=policy_arn)
    return name


def password_policy(a: SeedAccount, *, strong: bool) -> None:
    iam = a.client("iam", a.primary)
    if strong:
        iam.update_account_password_policy(
            MinimumPasswordLength=16,
            RequireSymbols=True,
            RequireNumbers=True,
            RequireUppercaseCharacters=True,
            RequireLowercaseCharacters=True,
            AllowUsersToChangePassword=True,
            PasswordReusePrevention=24,
            MaxPasswordAge=90,
        )
    else:
        iam.update_account_password_policy(MinimumPasswordLength=8, AllowUsersToChangePassword=True)


def role(
    a: SeedAccount,
    name: str,
    *,
    service: str | None = None,
    account: str | None = None,
    source_condition: bool = True,
    policy_arns: tuple[str, ...] = (),
) -> str:
    """A role trusted by an AWS service (limited to this account's requests unless
    `source_condition` is off) or by another account; returns its ARN."""
    principal = {"Service": service} if service else {"AWS": f"arn:aws:iam::{account or a.id}:root"}
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if service and source_condition:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": a.id}}
    iam = a.client("iam", a.primary)
    trust = {"Version": "2012-10-17", "Statement": [statement]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    for policy_arn in policy_arns:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    a.add("iam_role", name, name, GLOBAL)
    return str(arn)


def instance_profile(a: SeedAccount, name: str, role_name: str) -> str:
    iam = a.client("iam", a.primary)
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role_name)
    return name


def inline_policy(a: SeedAccount, kind: str, principal: str, name: str, document: dict[str, Any]) -> str:
    """An inline policy of a user, group or role; returns its inventory id."""
    iam = a.client("iam", a.primary)
    key = {"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]
    put = {"user": iam.put_user_policy, "group": iam.put_group_policy, "role": iam.put_role_policy}[kind]
    put(**{key: principal, "PolicyName": name, "PolicyDocument": json.dumps(document)})
    return a.add("iam_inline_policy", f"{kind}/{principal}/{name}", f"{name} ({kind} {principal})", GLOBAL)


# A certificate body in PEM form; moto stores server certificates without reading them.
_CERTIFICATE = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBszCCAVmgAwIBAgIUAcmEaQ2xk0xPbzV0c2FuZGJveDAKBggqhkjOPQQDAjAd\n"
    "MRswGQYDVQQDDBJwb3J0YWwuYWNtZS5leGFtcGxlMB4XDTIyMDMwMTAwMDAwMFoX\n"
    "DTIzMDMwMTAwMDAwMFowHTEbMBkGA1UEAwwScG9ydGFsLmFjbWUuZXhhbXBsZTBZ\n"
    "-----END CERTIFICATE-----\n"
)


def server_certificate(a: SeedAccount, name: str) -> str:
    """An SSL/TLS certificate stored in IAM (the pre-ACM way of giving load balancers one);
    returns its ARN."""
    uploaded = a.client("iam", a.primary).upload_server_certificate(
        ServerCertificateName=name,
        CertificateBody=_CERTIFICATE,
        PrivateKey="-----BEGIN PRIVATE KEY-----\nc2FuZGJveC1vbmx5\n-----END PRIVATE KEY-----\n",
    )
    return str(uploaded["ServerCertificateMetadata"]["Arn"])


def key(
    a: SeedAccount,
    region: str,
    alias: str,
    *,
    rotation: bool = True,
    policy: dict[str, Any] | None = None,
    delete: bool = False,
) -> str:
    """A KMS key with an alias; returns its key id."""
    kms = a.client("kms", region)
    kwargs: dict[str, Any] = {"Description": alias, "Tags": [{"TagKey": "team", "TagValue": "security"}]}
    if policy:
        kwargs["Policy"] = json.dumps(policy)
    key_id = str(kms.create_key(**kwargs)["KeyMetadata"]["KeyId"])
    kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key_id)
    if rotation:
        kms.enable_key_rotation(KeyId=key_id)
    if delete:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)
    a.add("kms_key", key_id, f"alias/{alias}", region)
    return key_id
