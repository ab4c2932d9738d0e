"""EBS volumes.

ebs_volume attributes: encrypted, kms_key_id, size_gb, volume_type, state, availability_zone,
attached_to (instance ids), snapshot_id, created.
"""

from __future__ import annotations

from typing import Any

from tools.aws import AwsClients
from tools.security.resources import Resource, tags_dict


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


def collect_volumes(aws: AwsClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    ec2 = aws.client("ec2", region)
    filters = [{"Name": "volume-id", "Values": [lookup]}] if lookup and lookup.startswith("vol-") else []
    out: list[Resource] = []
    for page in ec2.get_paginator("describe_volumes").paginate(Filters=filters):
        out.extend(_volume_resource(v, region) for v in page["Volumes"])
    return out
