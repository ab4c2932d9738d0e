"""delete_snapshot: delete an EBS snapshot."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction


class DeleteSnapshot(SettingAction):
    name: ClassVar[str] = "delete_snapshot"
    description: ClassVar[str] = (
        "Delete an EBS snapshot (AWS refuses while a registered AMI uses it). "
        "The data in it is gone for good."
    )
    resource_type: ClassVar[AnyResourceType] = "ebs_snapshot"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = ("ec2:DescribeSnapshots", "ec2:DeleteSnapshot")
    removes: ClassVar[bool] = True

    def describe(self, resource: Resource) -> dict[str, Any]:
        keys = ("volume_id", "size_gb", "state", "created", "description", "public", "encrypted")
        return {k: resource.attributes.get(k) for k in keys}

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        size = resource.attributes.get("size_gb")
        return [f"delete snapshot {resource.id} ({size} GiB, from {resource.attributes.get('volume_id')})"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        created = resource.attributes.get("created") or "unknown date"
        return (
            f"Delete snapshot {resource.id} ({resource.name}, taken {created}, {resource.region}). "
            "This cannot be undone."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("ec2", resource.region).delete_snapshot(SnapshotId=resource.id)
