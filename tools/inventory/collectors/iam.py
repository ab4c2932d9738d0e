"""IAM (global): users, the root user, the account password policy and customer-managed policies.

iam_user attributes: console_access (has a login profile), mfa_devices (count),
active_access_keys (count), access_keys ([{id, status, created, last_used}]), attached_policies
and inline_policies (policy names attached to the user directly), created, password_last_used,
path.
iam_root_user attributes: access_keys_present, mfa_enabled, virtual_mfa (the root MFA device is a
virtual one, not hardware).
iam_password_policy attributes: exists, minimum_length, require_symbols, require_numbers,
require_uppercase, require_lowercase, max_age_days, reuse_prevention, allow_users_to_change,
hard_expiry.
iam_policy attributes: document (the default version, parsed), attachment_count, path,
default_version.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import GLOBAL_REGION, Resource, tags_dict

ROOT_ID = "root"
PASSWORD_POLICY_ID = "password-policy"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else None


def _has_login_profile(iam: Any, user: str) -> bool:
    try:
        iam.get_login_profile(UserName=user)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchEntity":
            return False
        raise
    return True


def _access_keys(iam: Any, user: str) -> list[dict[str, Any]]:
    keys = []
    for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
        used = iam.get_access_key_last_used(AccessKeyId=k["AccessKeyId"]).get("AccessKeyLastUsed", {})
        keys.append(
            {
                "id": k["AccessKeyId"],
                "status": k.get("Status"),
                "created": _iso(k.get("CreateDate")),
                "last_used": _iso(used.get("LastUsedDate")),
            }
        )
    return keys


def _user_resource(iam: Any, user: dict[str, Any]) -> Resource:
    name = user["UserName"]
    mfa = iam.list_mfa_devices(UserName=name)["MFADevices"]
    keys = _access_keys(iam, name)
    tags = iam.list_user_tags(UserName=name).get("Tags", [])
    attached = iam.list_attached_user_policies(UserName=name).get("AttachedPolicies", [])
    inline = iam.list_user_policies(UserName=name).get("PolicyNames", [])
    return Resource(
        type="iam_user",
        id=name,
        name=name,
        region=GLOBAL_REGION,
        arn=user.get("Arn"),
        attributes={
            "console_access": _has_login_profile(iam, name),
            "mfa_devices": len(mfa),
            "active_access_keys": sum(1 for k in keys if k["status"] == "Active"),
            "access_keys": keys,
            "attached_policies": [p["PolicyName"] for p in attached],
            "inline_policies": list(inline),
            "created": _iso(user.get("CreateDate")),
            "password_last_used": _iso(user.get("PasswordLastUsed")),
            "path": user.get("Path", "/"),
        },
        tags=tags_dict(tags),
    )


def collect_users(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    iam = aws.client("iam", aws.regions[0])
    if lookup and not lookup.startswith("arn:"):
        try:
            users = [iam.get_user(UserName=lookup)["User"]]
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchEntity", "ValidationError"):
                return []
            raise
        return [_user_resource(iam, u) for u in users]
    listed: list[dict[str, Any]] = []
    for page in iam.get_paginator("list_users").paginate():
        listed.extend(page["Users"])
    # Each user takes several calls: read users side by side.
    with ThreadPoolExecutor(max_workers=aws.settings.max_workers, thread_name_prefix="iam-user") as pool:
        return list(pool.map(lambda u: _user_resource(iam, u), listed))


def collect_root_user(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    iam = aws.client("iam", aws.regions[0])
    summary = iam.get_account_summary().get("SummaryMap", {})
    root_arn = f"arn:aws:iam::{aws.account_id}:root"
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned").get("VirtualMFADevices", [])
    virtual = any((d.get("User") or {}).get("Arn") == root_arn for d in assigned)
    return [
        Resource(
            type="iam_root_user",
            id=ROOT_ID,
            name="root user",
            region=GLOBAL_REGION,
            arn=root_arn,
            attributes={
                "access_keys_present": bool(summary.get("AccountAccessKeysPresent")),
                "mfa_enabled": bool(summary.get("AccountMFAEnabled")),
                "virtual_mfa": virtual,
            },
        )
    ]


def collect_password_policy(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    iam = aws.client("iam", aws.regions[0])
    try:
        policy: dict[str, Any] | None = iam.get_account_password_policy()["PasswordPolicy"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchEntity":
            raise
        policy = None
    p = policy or {}
    return [
        Resource(
            type="iam_password_policy",
            id=PASSWORD_POLICY_ID,
            name="account password policy",
            region=GLOBAL_REGION,
            attributes={
                "exists": policy is not None,
                "minimum_length": p.get("MinimumPasswordLength"),
                "require_symbols": bool(p.get("RequireSymbols")),
                "require_numbers": bool(p.get("RequireNumbers")),
                "require_uppercase": bool(p.get("RequireUppercaseCharacters")),
                "require_lowercase": bool(p.get("RequireLowercaseCharacters")),
                "max_age_days": p.get("MaxPasswordAge") if p.get("ExpirePasswords") else None,
                "reuse_prevention": p.get("PasswordReusePrevention"),
                "allow_users_to_change": bool(p.get("AllowUsersToChangePassword")),
                "hard_expiry": bool(p.get("HardExpiry")),
            },
        )
    ]


def _document(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    text = unquote(str(raw))
    try:
        parsed = json.loads(text)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _policy_resource(iam: Any, policy: dict[str, Any]) -> Resource:
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
    return Resource(
        type="iam_policy",
        id=policy["PolicyName"],
        name=policy["PolicyName"],
        region=GLOBAL_REGION,
        arn=policy["Arn"],
        attributes={
            "document": _document(version["PolicyVersion"].get("Document")),
            "attachment_count": int(policy.get("AttachmentCount") or 0),
            "path": policy.get("Path", "/"),
            "default_version": policy.get("DefaultVersionId"),
        },
    )


def collect_policies(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    """Customer-managed policies only: AWS-managed ones are not the account's to fix."""
    iam = aws.client("iam", aws.regions[0])
    listed: list[dict[str, Any]] = []
    for page in iam.get_paginator("list_policies").paginate(Scope="Local"):
        listed.extend(page["Policies"])
    if lookup:
        listed = [p for p in listed if lookup in (p["PolicyName"], p["Arn"])]
    with ThreadPoolExecutor(max_workers=aws.settings.max_workers, thread_name_prefix="iam-policy") as pool:
        return list(pool.map(lambda p: _policy_resource(iam, p), listed))
