"""EBS volumes, snapshots and the per-region encryption-by-default setting.

ebs_volume attributes: encrypted, kms_key_id, size_gb, volume_type, state, availability_zone,
attached_to (instance ids), snapshot_id, created.
ebs_snapshot attributes: encrypted, public (anyone may create volumes from it), volume_id,
size_gb, state, created, description.
ebs_encryption_default attributes: enabled (new volumes are encrypted by default).
"""

from __future__ import annotations

from typing import Any

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource, tags_dict

EBS_DEFAULT_ID = "ebs-encryption-by-default"


def _volume_resource(vol: dict[str, Any], region: str) -> Resource:
    tags = tags_dict(vol.get("Tags"))
    return Resource(
        type="ebs_volume",
        id=vol["VolumeId"],
        name=tags.get("Name", vol["VolumeId"]),
        region=region,
        arn=None,
        attributes={
            "encrypted": bool(vol.get("Encrypted")),
            "kms_key_id": vol.get("KmsKeyId"),
            "size_gb": vol.get("Size"),
            "volume_type": vol.get("VolumeType"),
            "state": vol.get("State"),
            "availability_zone": vol.get("AvailabilityZone"),
            "attached_to": [a["InstanceId"] for a in vol.get("Attachments", []) if a.get("InstanceId")],
            "snapshot_id": vol.get("SnapshotId") or None,
            "created": vol["CreateTime"].isoformat() if vol.get("CreateTime") else None,
        },
        tags=tags,
    )


def collect_volumes(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    ec2 = aws.client("ec2", region)
    filters = [{"Name": "volume-id", "Values": [lookup]}] if lookup and lookup.startswith("vol-") else []
    out: list[Resource] = []
    for page in ec2.get_paginator("describe_volumes").paginate(Filters=filters):
        out.extend(_volume_resource(v, region) for v in page["Volumes"])
    return out


def _own_snapshots(ec2: Any, account: str, lookup: str | None, **extra: Any) -> list[dict[str, Any]]:
    # The owner-id filter as well as OwnerIds=self: some emulators ignore OwnerIds.
    filters = [{"Name": "owner-id", "Values": [account]}]
    if lookup and lookup.startswith("snap-"):
        filters.append({"Name": "snapshot-id", "Values": [lookup]})
    out: list[dict[str, Any]] = []
    for page in ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"], Filters=filters, **extra):
        out.extend(page["Snapshots"])
    return out


def _is_public(ec2: Any, snapshot_id: str) -> bool:
    attribute = ec2.describe_snapshot_attribute(SnapshotId=snapshot_id, Attribute="createVolumePermission")
    return any(p.get("Group") == "all" for p in attribute.get("CreateVolumePermissions", []))


def collect_snapshots(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    ec2 = aws.client("ec2", region)
    snapshots = _own_snapshots(ec2, aws.account_id, lookup)
    # RestorableByUserIds=all narrows the snapshots to check to the public ones in one call; each
    # candidate is then confirmed, since some emulators ignore that parameter.
    candidates = _own_snapshots(ec2, aws.account_id, lookup, RestorableByUserIds=["all"])
    public = {s["SnapshotId"] for s in candidates if _is_public(ec2, s["SnapshotId"])}
    out: list[Resource] = []
    for s in snapshots:
        tags = tags_dict(s.get("Tags"))
        out.append(
            Resource(
                type="ebs_snapshot",
                id=s["SnapshotId"],
                name=tags.get("Name") or s["SnapshotId"],
                region=region,
                arn=f"arn:aws:ec2:{region}:{s.get('OwnerId', aws.account_id)}:snapshot/{s['SnapshotId']}",
                attributes={
                    "encrypted": bool(s.get("Encrypted")),
                    "public": s["SnapshotId"] in public,
                    "volume_id": s.get("VolumeId"),
                    "size_gb": s.get("VolumeSize"),
                    "state": s.get("State"),
                    "created": s["StartTime"].isoformat() if s.get("StartTime") else None,
                    "description": s.get("Description", ""),
                },
                tags=tags,
            )
        )
    return out


def collect_encryption_default(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    enabled = aws.client("ec2", region).get_ebs_encryption_by_default().get("EbsEncryptionByDefault")
    return [
        Resource(
            type="ebs_encryption_default",
            id=EBS_DEFAULT_ID,
            name=f"EBS encryption by default ({region})",
            region=region,
            attributes={"enabled": bool(enabled)},
        )
    ]
