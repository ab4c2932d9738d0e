"""DynamoDB point-in-time recovery is off.

The table has no continuous backups, so accidental writes or deletes cannot be rolled back.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, SOC2, Severity
from tools.security.rule_kinds import SettingRule


class DynamoDbWithoutPitr(SettingRule):
    id: ClassVar[str] = "dynamodb-table-pitr"
    title: ClassVar[str] = "DynamoDB point-in-time recovery is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "dynamodb_table"
    description: ClassVar[str] = (
        "The table has no continuous backups, so accidental writes or deletes cannot be rolled back."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("DynamoDB.2",),
        PCI_DSS: ("10.3.3", "10.5.1", "3.2.1"),
        SOC2: ("CC7.4", "A1.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("dynamodb_tables_pitr_enabled",)
    remediation: ClassVar[str] = "Enable point-in-time recovery (aws dynamodb update-continuous-backups)."
    remediation_action: ClassVar[str | None] = "enable_pitr"
    attribute: ClassVar[str] = "pitr"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Table {name}: point-in-time recovery is off."
