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
        )
    else:
        iam.update_account_password_policy(MinimumPasswordLength=8, AllowUsersToChangePassword=True)


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
