"""disable_public_access: make an RDS instance not publicly accessible."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.rds.public_instance import PublicRdsInstance


class DisableRdsPublicAccess(SettingAction):
    name: ClassVar[str] = "disable_public_access"
    description: ClassVar[str] = (
        "Set PubliclyAccessible=false on an RDS instance, applied immediately: its endpoint then resolves "
        "to a private address only."
    )
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = ("rds:DescribeDBInstances", "rds:ModifyDBInstance")
    rule: ClassVar[type[Rule] | None] = PublicRdsInstance

    def describe(self, resource: Resource) -> dict[str, Any]:
        keys = ("publicly_accessible", "status", "endpoint")
        return {k: resource.attributes.get(k) for k in keys}

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        if not resource.attributes.get("publicly_accessible"):
            return []
        return [f"set PubliclyAccessible=false on RDS instance {resource.id} (applied immediately)"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        return (
            f"Make RDS instance {resource.id} ({resource.region}) private. Clients connecting from outside "
            "the VPC will lose access."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("rds", resource.region).modify_db_instance(
            DBInstanceIdentifier=resource.id, PubliclyAccessible=False, ApplyImmediately=True
        )
