"""stop_instance: stop a running EC2 instance (its EBS volumes and data are kept)."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction

_STOPPED = ("stopping", "stopped")


class StopInstance(SettingAction):
    name: ClassVar[str] = "stop_instance"
    description: ClassVar[str] = (
        "Stop an EC2 instance (EBS-backed). Volumes are kept; instance-store data and a public IP that is "
        "not an Elastic IP are lost."
    )
    resource_type: ClassVar[AnyResourceType] = "ec2_instance"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = ("ec2:DescribeInstances", "ec2:StopInstances")

    def describe(self, resource: Resource) -> dict[str, Any]:
        keys = ("state", "instance_type", "public_ip")
        return {k: resource.attributes.get(k) for k in keys}

    def blocked(self, resource: Resource, params: ActionParams) -> str | None:
        state = resource.attributes.get("state")
        if state in ("terminated", "shutting-down"):
            return f"Instance {resource.id} is {state}; there is nothing to stop."
        return None

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        if resource.attributes.get("state") in _STOPPED:
            return []
        return [f"stop instance {resource.id} ({resource.name}, now {resource.attributes.get('state')})"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        ip = resource.attributes.get("public_ip")
        lost = f" Its public IP {ip} is released unless it is an Elastic IP." if ip else ""
        return f"Stop instance {resource.id} ({resource.name}, {resource.region}).{lost}"

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("ec2", resource.region).stop_instances(InstanceIds=[resource.id])
