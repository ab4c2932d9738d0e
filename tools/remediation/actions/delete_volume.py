"""delete_volume: snapshot an unattached EBS volume, then delete it."""

from __future__ import annotations

from typing import Any, ClassVar

from botocore.exceptions import WaiterError

from tools.base import ChangePlan, ToolContext, UserFacingError, Verification
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction, find_optional

SOURCE_TAG = "cloudpilot:source-volume"
# Snapshots of large volumes take a while; the volume is only deleted once its copy is complete.
WAIT = {"Delay": 5, "MaxAttempts": 60}


def backup_snapshots(ec2: Any, account: str, volume_id: str) -> list[dict[str, Any]]:
    """Snapshots this action took of `volume_id`, newest first."""
    found = ec2.describe_snapshots(
        OwnerIds=["self"],
        Filters=[
            {"Name": "owner-id", "Values": [account]},
            {"Name": f"tag:{SOURCE_TAG}", "Values": [volume_id]},
        ],
    )["Snapshots"]
    return sorted(found, key=lambda s: s.get("StartTime") or 0, reverse=True)


class DeleteVolume(SettingAction):
    name: ClassVar[str] = "delete_volume"
    description: ClassVar[str] = (
        "Delete an unattached EBS volume after taking a snapshot of it (tagged with the volume id), so the "
        "data can be restored."
    )
    resource_type: ClassVar[AnyResourceType] = "ebs_volume"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = (
        "ec2:DescribeVolumes",
        "ec2:DescribeSnapshots",
        "ec2:CreateSnapshot",
        "ec2:CreateTags",
        "ec2:DeleteVolume",
    )
    removes: ClassVar[bool] = True

    def describe(self, resource: Resource) -> dict[str, Any]:
        keys = ("size_gb", "volume_type", "state", "encrypted", "attached_to")
        return {k: resource.attributes.get(k) for k in keys} | {"tags": dict(resource.tags)}

    def blocked(self, resource: Resource, params: ActionParams) -> str | None:
        attached = resource.attributes.get("attached_to") or []
        if attached:
            return f"Volume {resource.id} is attached to {', '.join(attached)}; detach it before deleting."
        state = resource.attributes.get("state")
        if state not in (None, "available"):
            return f"Volume {resource.id} is {state}; only available volumes can be deleted."
        return None

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        size = resource.attributes.get("size_gb")
        return [
            f"snapshot volume {resource.id} ({size} GiB) tagged {SOURCE_TAG}={resource.id}",
            f"delete volume {resource.id} ({resource.name})",
        ]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        size = resource.attributes.get("size_gb")
        return (
            f"Snapshot, then delete unattached volume {resource.id} ({resource.name}, {size} GiB, "
            f"{resource.region}). The snapshot is kept (and billed) until someone deletes it."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ec2 = ctx.aws.client("ec2", resource.region)
        existing = backup_snapshots(ec2, resource.account, resource.id)
        if existing and existing[0].get("State") != "error":
            snapshot_id = existing[0]["SnapshotId"]
        else:
            tags = [{"Key": k, "Value": v} for k, v in resource.tags.items() if not k.startswith("aws:")]
            tags.append({"Key": SOURCE_TAG, "Value": resource.id})
            snapshot_id = ec2.create_snapshot(
                VolumeId=resource.id,
                Description=f"Backup of {resource.id} ({resource.name}) before CloudPilot deleted it",
                TagSpecifications=[{"ResourceType": "snapshot", "Tags": tags}],
            )["SnapshotId"]
        try:
            ec2.get_waiter("snapshot_completed").wait(SnapshotIds=[snapshot_id], WaiterConfig=WAIT)
        except WaiterError:
            raise UserFacingError(
                f"Snapshot {snapshot_id} of {resource.id} is not complete yet, "
                "so the volume was NOT deleted. "
                "Ask again once it completes; the same snapshot will be used."
            ) from None
        ec2.delete_volume(VolumeId=resource.id)

    def verify(self, ctx: ToolContext, plan: ChangePlan) -> Verification:
        still = find_optional(ctx, self.resource_type, plan.resource_id, plan.region)
        ec2 = ctx.aws.client("ec2", plan.region)
        backups = [
            s
            for s in backup_snapshots(ec2, plan.account or "", plan.resource_id)
            if s.get("State") == "completed"
        ]
        if still is not None:
            return Verification(ok=False, message=f"Volume {plan.resource_id} still exists.")
        if not backups:
            return Verification(
                ok=False, message=f"Volume {plan.resource_id} is gone but no backup snapshot was found."
            )
        return Verification(
            ok=True,
            message=f"Volume {plan.resource_id} is deleted; "
            f"its data is in snapshot {backups[0]['SnapshotId']}.",
        )
