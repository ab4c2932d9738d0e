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


def _role_resource(iam: Any, role: dict[str, Any]) -> Resource:
    name = role["RoleName"]
    attached = iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", [])
    return Resource(
        type="iam_role",
        id=name,
        name=name,
        region=GLOBAL_REGION,
        arn=role.get("Arn"),
        attributes={
            "trust_policy": _document(role.get("AssumeRolePolicyDocument")),
            "attached_policies": [p["PolicyName"] for p in attached],
            "attached_policy_arns": [p["PolicyArn"] for p in attached],
            "path": role.get("Path", "/"),
            "created": _iso(role.get("CreateDate")),
            "service_linked": str(role.get("Path", "")).startswith("/aws-service-role/"),
        },
    )


def _list_roles(iam: Any) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = []
    for page in iam.get_paginator("list_roles").paginate():
        listed.extend(page["Roles"])
    return listed


def collect_roles(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    """iam_role attributes: trust_policy (parsed), attached_policies (names), attached_policy_arns,
    path, created, service_linked."""
    iam = aws.client("iam", aws.regions[0])
    listed = _list_roles(iam)
    if lookup:
        listed = [r for r in listed if lookup in (r["RoleName"], r.get("Arn"))]
    with ThreadPoolExecutor(max_workers=aws.settings.max_workers, thread_name_prefix="iam-role") as pool:
        return list(pool.map(lambda r: _role_resource(iam, r), listed))


_INLINE = {
    "user": ("list_users", "Users", "UserName", "list_user_policies", "get_user_policy"),
    "role": ("list_roles", "Roles", "RoleName", "list_role_policies", "get_role_policy"),
    "group": ("list_groups", "Groups", "GroupName", "list_group_policies", "get_group_policy"),
}


def _inline_of(iam: Any, kind: str, principal: str) -> list[Resource]:
    _, _, key, list_call, get_call = _INLINE[kind]
    names = getattr(iam, list_call)(**{key: principal}).get("PolicyNames", [])
    out = []
    for name in names:
        doc = getattr(iam, get_call)(**{key: principal, "PolicyName": name}).get("PolicyDocument")
        out.append(
            Resource(
                type="iam_inline_policy",
                id=f"{kind}/{principal}/{name}",
                name=f"{name} ({kind} {principal})",
                region=GLOBAL_REGION,
                attributes={
                    "principal_type": kind,
                    "principal": principal,
                    "policy_name": name,
                    "document": _document(doc),
                },
            )
        )
    return out


def collect_inline_policies(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    """iam_inline_policy attributes: principal_type ("user", "role", "group"), principal (its name),
    policy_name, document (parsed). One resource per inline policy, id "<type>/<principal>/<name>"."""
    iam = aws.client("iam", aws.regions[0])
    principals: list[tuple[str, str]] = []
    for kind, (call, field, key, _, _) in _INLINE.items():
        for page in iam.get_paginator(call).paginate():
            principals.extend((kind, p[key]) for p in page[field])
    with ThreadPoolExecutor(max_workers=aws.settings.max_workers, thread_name_prefix="iam-inline") as pool:
        found = [r for batch in pool.map(lambda p: _inline_of(iam, *p), principals) for r in batch]
    if lookup:
        found = [r for r in found if r.matches(lookup) or lookup in (r.attributes["policy_name"],)]
    return found


SUPPORT_POLICY = "arn:aws:iam::aws:policy/AWSSupportAccess"
ACCOUNT_ID = "iam-account"


def collect_account(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    """iam_account attributes: support_access_entities (users, groups and roles the AWSSupportAccess
    policy is attached to), server_certificates ([{name, expires}])."""
    iam = aws.client("iam", aws.regions[0])
    try:
        entities = iam.list_entities_for_policy(PolicyArn=SUPPORT_POLICY)
        support: list[str] | None = [
            *(f"user/{u['UserName']}" for u in entities.get("PolicyUsers", [])),
            *(f"group/{g['GroupName']}" for g in entities.get("PolicyGroups", [])),
            *(f"role/{r['RoleName']}" for r in entities.get("PolicyRoles", [])),
        ]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchEntity":
            raise
        support = []
    certs = [
        {"name": c["ServerCertificateName"], "expires": _iso(c.get("Expiration"))}
        for c in iam.list_server_certificates().get("ServerCertificateMetadataList", [])
    ]
    return [
        Resource(
            type="iam_account",
            id=ACCOUNT_ID,
            name="IAM account settings",
            region=GLOBAL_REGION,
            attributes={"support_access_entities": support, "server_certificates": certs},
        )
    ]
