"""RDS snapshot is not encrypted.

The snapshot is stored unencrypted, so anyone who can copy or share it reads the data.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, Severity
from tools.security.rule_kinds import SettingRule


class UnencryptedRdsSnapshot(SettingRule):
    id: ClassVar[str] = "rds-snapshot-unencrypted"
    title: ClassVar[str] = "RDS snapshot is not encrypted"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "rds_snapshot"
    description: ClassVar[str] = (
        "The snapshot is stored unencrypted, so anyone who can copy or share it reads the data."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.4",),
        PCI_DSS: ("3.5.1", "8.3.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_snapshots_encrypted",)
    remediation: ClassVar[str] = (
        "Copy the snapshot with a KMS key (aws rds copy-db-snapshot --kms-key-id) and delete the plain copy."
    )
    attribute: ClassVar[str] = "encrypted"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Snapshot {name} is not encrypted."
