"""enable_log_file_validation: turn on CloudTrail log file integrity validation for a trail."""

from __future__ import annotations

from typing import ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.cloudtrail.log_file_validation import LogFileValidationOff


class EnableLogFileValidation(SettingAction):
    name: ClassVar[str] = "enable_log_file_validation"
    description: ClassVar[str] = "Turn on log file validation (signed digest files) for a CloudTrail trail."
    resource_type: ClassVar[AnyResourceType] = "cloudtrail_trail"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = ("cloudtrail:DescribeTrails", "cloudtrail:UpdateTrail")
    rule: ClassVar[type[Rule] | None] = LogFileValidationOff

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        if resource.attributes.get("log_file_validation"):
            return []
        return [f"enable log file validation on trail {resource.id}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        return f"Turn on log file validation for trail {resource.id} ({resource.region})."

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("cloudtrail", resource.region).update_trail(
            Name=resource.arn or resource.id, EnableLogFileValidation=True
        )
