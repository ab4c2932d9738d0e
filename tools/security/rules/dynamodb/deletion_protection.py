"""DynamoDB deletion protection is off.

The table can be deleted by one API call.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, Severity
from tools.security.rule_kinds import SettingRule


class DynamoDbWithoutDeletionProtection(SettingRule):
    id: ClassVar[str] = "dynamodb-table-deletion-protection"
    title: ClassVar[str] = "DynamoDB deletion protection is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "dynamodb_table"
    description: ClassVar[str] = "The table can be deleted by one API call."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("DynamoDB.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("dynamodb_table_deletion_protection_enabled",)
    remediation: ClassVar[str] = (
        "Enable deletion protection (aws dynamodb update-table --deletion-protection-enabled)."
    )
    attribute: ClassVar[str] = "deletion_protection"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Table {name}: deletion protection is off."
