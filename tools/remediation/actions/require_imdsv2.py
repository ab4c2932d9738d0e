"""require_imdsv2: make an EC2 instance's metadata service require session tokens (IMDSv2)."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.ec2.instance_imdsv2 import InstanceWithoutImdsv2


class RequireImdsv2(SettingAction):
    name: ClassVar[str] = "require_imdsv2"
    description: ClassVar[str] = (
        "Require IMDSv2 on an EC2 instance (http_tokens=required). Software on it using IMDSv1 stops "
        "getting credentials."
    )
    resource_type: ClassVar[AnyResourceType] = "ec2_instance"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = ("ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions")
    rule: ClassVar[type[Rule] | None] = InstanceWithoutImdsv2

    def describe(self, resource: Resource) -> dict[str, Any]:
        return {k: resource.attributes.get(k) for k in ("http_tokens", "http_endpoint", "state")}

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        if resource.attributes.get("http_tokens") == "required":
            return []
        return [f"set http_tokens=required on instance {resource.id}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        return f"Require IMDSv2 on instance {resource.id} ({resource.name}, {resource.region})."

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("ec2", resource.region).modify_instance_metadata_options(
            InstanceId=resource.id, HttpTokens="required", HttpEndpoint="enabled"
        )
