"""enable_pitr: turn on point-in-time recovery (continuous backups) for a DynamoDB table."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.dynamodb.pitr import DynamoDbWithoutPitr

_BUSY = ("CREATING", "UPDATING", "DELETING", "ARCHIVING")


class EnablePitr(SettingAction):
    name: ClassVar[str] = "enable_pitr"
    description: ClassVar[str] = (
        "Turn on point-in-time recovery for a DynamoDB table (restores to any second of the last 35 days)."
    )
    resource_type: ClassVar[AnyResourceType] = "dynamodb_table"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = (
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:UpdateContinuousBackups",
    )
    rule: ClassVar[type[Rule] | None] = DynamoDbWithoutPitr

    def describe(self, resource: Resource) -> dict[str, Any]:
        return {k: resource.attributes.get(k) for k in ("pitr", "status", "billing_mode")}

    def blocked(self, resource: Resource, params: ActionParams) -> str | None:
        status = resource.attributes.get("status")
        if status in _BUSY:
            return f"Table {resource.id} is {status}; try again once it is ACTIVE."
        return None

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        if resource.attributes.get("pitr"):
            return []
        return [f"enable point-in-time recovery on DynamoDB table {resource.id}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        return (
            f"Turn on point-in-time recovery for DynamoDB table {resource.id} ({resource.region}): the table "
            "can then be restored to any second of the last 35 days. Billed per GB of table data; it can "
            "be turned off again."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("dynamodb", resource.region).update_continuous_backups(
            TableName=resource.id,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
