"""IAM users (global).

iam_user attributes: console_access (has a login profile), mfa_devices (count),
active_access_keys (count), created, password_last_used, path.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tools.aws import AwsClients
from tools.security.resources import GLOBAL_REGION, Resource, tags_dict


def _has_login_profile(iam: Any, user: str) -> bool:
    try:
        iam.get_login_profile(UserName=user)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchEntity":
            return False
        raise
    return True


def _user_resource(iam: Any, user: dict[str, Any]) -> Resource:
    name = user["UserName"]
    mfa = iam.list_mfa_devices(UserName=name)["MFADevices"]
    keys = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    tags = iam.list_user_tags(UserName=name).get("Tags", [])
    last_used = user.get("PasswordLastUsed")
    return Resource(
        type="iam_user",
        id=name,
        name=name,
        region=GLOBAL_REGION,
        arn=user.get("Arn"),
        attributes={
            "console_access": _has_login_profile(iam, name),
            "mfa_devices": len(mfa),
            "active_access_keys": sum(1 for k in keys if k.get("Status") == "Active"),
            "created": user["CreateDate"].isoformat() if user.get("CreateDate") else None,
            "password_last_used": last_used.isoformat() if last_used else None,
            "path": user.get("Path", "/"),
        },
        tags=tags_dict(tags),
    )


def collect_users(aws: AwsClients, region: str | None, lookup: str | None) -> list[Resource]:
    iam = aws.client("iam", aws.regions[0])
    if lookup and not lookup.startswith("arn:"):
        try:
            users = [iam.get_user(UserName=lookup)["User"]]
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchEntity", "ValidationError"):
                return []
            raise
        return [_user_resource(iam, u) for u in users]
    out: list[Resource] = []
    for page in iam.get_paginator("list_users").paginate():
        out.extend(_user_resource(iam, u) for u in page["Users"])
    return out
