"""Secrets Manager secrets (metadata only: a secret's value is never read).

secret attributes: rotation_enabled, rotation_days (the schedule, None when off), last_rotated,
last_accessed, created, kms_key_id, policy (the resource policy, parsed; None without one).
"""

from __future__ import annotations

import json
from typing import Any

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource, tags_dict


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else None


def _secret(sm: Any, s: dict[str, Any], region: str) -> Resource:
    policy = sm.get_resource_policy(SecretId=s["ARN"]).get("ResourcePolicy")
    rules = s.get("RotationRules") or {}
    return Resource(
        type="secret",
        id=s["Name"],
        name=s["Name"],
        region=region,
        arn=s.get("ARN"),
        attributes={
            "rotation_enabled": bool(s.get("RotationEnabled")),
            "rotation_days": rules.get("AutomaticallyAfterDays") if s.get("RotationEnabled") else None,
            "last_rotated": _iso(s.get("LastRotatedDate")),
            "last_accessed": _iso(s.get("LastAccessedDate")),
            "created": _iso(s.get("CreatedDate")),
            "kms_key_id": s.get("KmsKeyId"),
            "policy": json.loads(policy) if policy else None,
        },
        tags=tags_dict(s.get("Tags")),
    )


def collect_secrets(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    sm = aws.client("secretsmanager", region)
    found: list[dict[str, Any]] = []
    for page in sm.get_paginator("list_secrets").paginate():
        found.extend(page.get("SecretList", []))
    if lookup:
        found = [s for s in found if lookup in (s["Name"], s.get("ARN"))]
    return [_secret(sm, s, region) for s in found]
