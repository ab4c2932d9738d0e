"""RDS instance is not Multi-AZ.

The instance runs in one Availability Zone, so a zone failure takes the database down until it is
restored.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, Severity
from tools.security.rule_kinds import SettingRule


class RdsNotMultiAz(SettingRule):
    id: ClassVar[str] = "rds-instance-multi-az"
    title: ClassVar[str] = "RDS instance is not Multi-AZ"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = (
        "The instance runs in one Availability Zone, so a zone failure takes the database down "
        "until it is restored."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.5",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_multi_az",)
    remediation: ClassVar[str] = (
        "Enable Multi-AZ (aws rds modify-db-instance --multi-az --apply-immediately) for "
        "production databases."
    )
    attribute: ClassVar[str] = "multi_az"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Instance {name} is single-AZ."
