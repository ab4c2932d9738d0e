"""disable_auto_public_ip: stop a subnet from giving new instances a public IPv4 address by default."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.ec2.subnet_auto_public_ip import SubnetAutoPublicIp


class DisableAutoPublicIp(SettingAction):
    name: ClassVar[str] = "disable_auto_public_ip"
    description: ClassVar[str] = (
        "Turn off auto-assign public IPv4 on a subnet (instances that have a public address keep it)."
    )
    resource_type: ClassVar[AnyResourceType] = "subnet"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = ("ec2:ModifySubnetAttribute",)
    rule: ClassVar[type[Rule] | None] = SubnetAutoPublicIp

    def describe(self, resource: Resource) -> dict[str, Any]:
        keys = ("vpc_id", "map_public_ip_on_launch", "default_for_az")
        return {k: resource.attributes.get(k) for k in keys}

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        if not resource.attributes.get("map_public_ip_on_launch"):
            return []
        return [f"turn off auto-assign public IPv4 on subnet {resource.id}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        return (
            f"Stop subnet {resource.id} ({resource.region}) from giving new instances a public IPv4 address. "
            "Running instances keep theirs; a launch that needs one must ask for it explicitly."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("ec2", resource.region).modify_subnet_attribute(
            SubnetId=resource.id, MapPublicIpOnLaunch={"Value": False}
        )
