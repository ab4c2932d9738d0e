"""EFS automatic backups are off.

The file system is not in AWS Backup's automatic backups.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, SOC2, Severity
from tools.security.rule_kinds import SettingRule


class FileSystemWithoutBackup(SettingRule):
    id: ClassVar[str] = "efs-backup"
    title: ClassVar[str] = "EFS automatic backups are off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "efs_file_system"
    description: ClassVar[str] = "The file system is not in AWS Backup's automatic backups."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EFS.2",),
        PCI_DSS: ("10.3.3",),
        SOC2: ("CC7.4", "A1.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("efs_have_backup_enabled",)
    remediation: ClassVar[str] = (
        "Enable automatic backups (aws efs put-backup-policy --backup-policy Status=ENABLED)."
    )
    attribute: ClassVar[str] = "backup_policy"
    passing: ClassVar[tuple[object, ...]] = ("ENABLED", "ENABLING")
    failure: ClassVar[str] = "File system {name}: automatic backups are {value}."
