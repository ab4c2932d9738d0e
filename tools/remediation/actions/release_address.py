"""release_address: release an Elastic IP address that nothing uses."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.ec2.unattached_elastic_ip import UnattachedElasticIp


class ReleaseAddress(SettingAction):
    name: ClassVar[str] = "release_address"
    description: ClassVar[str] = (
        "Release an unassociated Elastic IP. The address goes back to AWS and usually cannot be recovered."
    )
    resource_type: ClassVar[AnyResourceType] = "elastic_ip"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = ("ec2:DescribeAddresses", "ec2:ReleaseAddress")
    rule: ClassVar[type[Rule] | None] = UnattachedElasticIp
    removes: ClassVar[bool] = True

    def describe(self, resource: Resource) -> dict[str, Any]:
        keys = ("public_ip", "association_id", "instance_id", "network_interface_id")
        return {k: resource.attributes.get(k) for k in keys}

    def blocked(self, resource: Resource, params: ActionParams) -> str | None:
        attrs = resource.attributes
        user = attrs.get("instance_id") or attrs.get("network_interface_id") or attrs.get("association_id")
        if user:
            return f"Elastic IP {attrs.get('public_ip')} is in use by {user}; disassociate it first."
        return None

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        return [f"release Elastic IP {resource.attributes.get('public_ip')} ({resource.id})"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        ip = resource.attributes.get("public_ip")
        return (
            f"Release unused Elastic IP {ip} ({resource.id}, {resource.region}). It usually cannot be "
            "recovered: check no DNS record or allow-list still names it."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("ec2", resource.region).release_address(AllocationId=resource.id)
