"""KMS keys.

kms_key attributes: manager ("CUSTOMER" or "AWS"), state ("Enabled", "PendingDeletion", ...),
spec ("SYMMETRIC_DEFAULT", ...), usage, rotation_enabled (None when rotation does not apply or
could not be read), policy (the key policy, parsed; None when not read), aliases,
deletion_date, description, unreadable (what could not be read: access denied by the key policy).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource

_DENIED = frozenset({"AccessDeniedException", "AccessDenied"})


def _read(call: Any, unreadable: list[str], what: str, **kwargs: Any) -> dict[str, Any] | None:
    try:
        return dict(call(**kwargs))
    except ClientError as exc:
        # A key policy can lock out the scanner for one key; that key's setting is then unknown.
        if exc.response["Error"]["Code"] in _DENIED:
            unreadable.append(what)
            return None
        raise


def _key_resource(kms: Any, key_id: str, region: str, aliases: dict[str, list[str]]) -> Resource:
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    unreadable: list[str] = []
    names = aliases.get(key_id, [])
    # Keys behind alias/aws/* belong to AWS services whatever KeyManager says (emulators differ).
    manager = "AWS" if any(n.startswith("alias/aws/") for n in names) else meta.get("KeyManager")
    customer = manager == "CUSTOMER"
    spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")
    rotation: bool | None = None
    policy: dict[str, Any] | None = None
    if customer and meta.get("KeyState") == "Enabled" and spec == "SYMMETRIC_DEFAULT":
        status = _read(kms.get_key_rotation_status, unreadable, "rotation", KeyId=key_id)
        rotation = bool(status["KeyRotationEnabled"]) if status is not None else None
    if customer:
        raw = _read(kms.get_key_policy, unreadable, "policy", KeyId=key_id, PolicyName="default")
        policy = json.loads(raw["Policy"]) if raw and raw.get("Policy") else None
    deletion = meta.get("DeletionDate")
    return Resource(
        type="kms_key",
        id=key_id,
        name=names[0] if names else key_id,
        region=region,
        arn=meta.get("Arn"),
        attributes={
            "manager": manager,
            "state": meta.get("KeyState"),
            "spec": spec,
            "usage": meta.get("KeyUsage"),
            "rotation_enabled": rotation,
            "policy": policy,
            "aliases": names,
            "deletion_date": deletion.isoformat() if deletion is not None else None,
            "description": meta.get("Description", ""),
            "unreadable": unreadable,
        },
    )


def collect_keys(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    kms = aws.client("kms", region)
    aliases: dict[str, list[str]] = {}
    for page in kms.get_paginator("list_aliases").paginate():
        for a in page["Aliases"]:
            if a.get("TargetKeyId"):
                aliases.setdefault(a["TargetKeyId"], []).append(a["AliasName"])
    ids: list[str] = []
    for page in kms.get_paginator("list_keys").paginate():
        ids.extend(k["KeyId"] for k in page["Keys"])
    if lookup:
        wanted = lookup.rsplit("/", 1)[-1] if lookup.startswith("arn:aws:kms:") else lookup
        ids = [i for i in ids if i == wanted or lookup in aliases.get(i, [])]
    with ThreadPoolExecutor(max_workers=aws.settings.max_workers, thread_name_prefix="kms-key") as pool:
        return list(pool.map(lambda k: _key_resource(kms, k, region, aliases), ids))
