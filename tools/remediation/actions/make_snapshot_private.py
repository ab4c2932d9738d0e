"""make_snapshot_private: stop sharing an EBS snapshot with everyone."""

from __future__ import annotations

from typing import ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.ebs.public_snapshot import PublicSnapshot


class MakeSnapshotPrivate(SettingAction):
    name: ClassVar[str] = "make_snapshot_private"
    description: ClassVar[str] = (
        "Remove public (group 'all') create-volume permission from an EBS snapshot; shares with named "
        "accounts are kept."
    )
    resource_type: ClassVar[AnyResourceType] = "ebs_snapshot"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = ("ec2:DescribeSnapshots", "ec2:ModifySnapshotAttribute")
    rule: ClassVar[type[Rule] | None] = PublicSnapshot

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        if not resource.attributes.get("public"):
            return []
        return [f"remove public createVolumePermission from snapshot {resource.id}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        return (
            f"Make snapshot {resource.id} ({resource.region}) private "
            "(stop sharing it with all AWS accounts)."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("ec2", resource.region).modify_snapshot_attribute(
            SnapshotId=resource.id,
            Attribute="createVolumePermission",
            OperationType="remove",
            GroupNames=["all"],
        )
