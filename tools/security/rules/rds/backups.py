"""RDS instance with automated backups off or kept for less than 7 days.

Reads the normalised `rds_instance` attribute backup_retention_period (days).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, SOC2, Rule, Severity, Violation

MIN_RETENTION_DAYS = 7


class RdsBackupRetention(Rule):
    id: ClassVar[str] = "rds-instance-backups"
    title: ClassVar[str] = "RDS automated backups are off or short"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = (
        "Automated backups are off, or kept for fewer than 7 days, limiting point-in-time recovery."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.11",),
        PCI_DSS: ("10.3.3",),
        SOC2: ("A1.2", "CC7.4"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_backup_enabled",)
    remediation: ClassVar[str] = (
        "Set the backup retention period to at least 7 days (aws rds modify-db-instance "
        "--backup-retention-period 7), and consider AWS Backup for longer retention."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        days = resource.attributes.get("backup_retention_period")
        if days is None or int(days) >= MIN_RETENTION_DAYS:
            return None
        state = "off" if int(days) == 0 else f"kept {days} day{'s' if int(days) != 1 else ''}"
        return Violation(detail=f"Instance {resource.name}: automated backups {state}.")
