"""EFS file systems.

efs_file_system attributes: encrypted, kms_key_id, backup_policy ("ENABLED"/"DISABLED"/...),
policy (the file system policy, parsed; None without one), one_zone (stored in a single AZ),
mount_targets (count).
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource, tags_dict


def _optional(call: Any, absent: str, **kwargs: Any) -> dict[str, Any] | None:
    try:
        return dict(call(**kwargs))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in (absent, "PolicyNotFound", "FileSystemNotFound"):
            return None
        raise


def _file_system(efs: Any, fs: dict[str, Any], region: str) -> Resource:
    fs_id = fs["FileSystemId"]
    backup = _optional(efs.describe_backup_policy, "PolicyNotFound", FileSystemId=fs_id)
    policy = _optional(efs.describe_file_system_policy, "PolicyNotFound", FileSystemId=fs_id)
    tags = tags_dict(fs.get("Tags"))
    return Resource(
        type="efs_file_system",
        id=fs_id,
        name=fs.get("Name") or tags.get("Name") or fs_id,
        region=region,
        arn=fs.get("FileSystemArn"),
        attributes={
            "encrypted": bool(fs.get("Encrypted")),
            "kms_key_id": fs.get("KmsKeyId"),
            "backup_policy": ((backup or {}).get("BackupPolicy") or {}).get("Status", "DISABLED"),
            "policy": json.loads(policy["Policy"]) if policy and policy.get("Policy") else None,
            "one_zone": bool(fs.get("AvailabilityZoneName")),
            "mount_targets": int(fs.get("NumberOfMountTargets") or 0),
        },
        tags=tags,
    )


def collect_file_systems(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    efs = aws.client("efs", region)
    systems: list[dict[str, Any]] = []
    for page in efs.get_paginator("describe_file_systems").paginate():
        systems.extend(page.get("FileSystems", []))
    if lookup:
        systems = [s for s in systems if lookup in (s["FileSystemId"], s.get("FileSystemArn"), s.get("Name"))]
    return [_file_system(efs, s, region) for s in systems]
