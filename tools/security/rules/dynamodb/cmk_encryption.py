"""DynamoDB table is not encrypted with a customer key.

The table is encrypted with an AWS-owned or AWS-managed key, so you cannot restrict or audit
decryption through a key policy of your own.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import PCI_DSS, SOC2, Severity
from tools.security.rule_kinds import SettingRule


class DynamoDbWithoutCmk(SettingRule):
    id: ClassVar[str] = "dynamodb-table-cmk"
    title: ClassVar[str] = "DynamoDB table is not encrypted with a customer key"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "dynamodb_table"
    description: ClassVar[str] = (
        "The table is encrypted with an AWS-owned or AWS-managed key, so you cannot restrict or "
        "audit decryption through a key policy of your own."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        PCI_DSS: ("3.5.1", "8.3.2"),
        SOC2: ("PI1.5",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("dynamodb_tables_kms_cmk_encryption_enabled",)
    remediation: ClassVar[str] = (
        "Switch the table's encryption to a customer-managed KMS key (aws dynamodb update-table "
        "--sse-specification)."
    )
    attribute: ClassVar[str] = "customer_managed_key"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Table {name} is not encrypted with a customer-managed KMS key."
