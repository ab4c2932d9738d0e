"""RDS instance without storage encryption.

Reads the normalised `rds_instance` attribute storage_encrypted (bool).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class UnencryptedRdsInstance(Rule):
    id: ClassVar[str] = "rds-instance-unencrypted"
    title: ClassVar[str] = "RDS instance storage is not encrypted"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = "The database's storage, backups and snapshots are not encrypted at rest."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("2.3.1",),
        FSBP: ("RDS.3",),
        PCI_DSS: ("3.5.1", "8.3.2"),
        SOC2: ("PI1.5",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_storage_encrypted",)
    remediation: ClassVar[str] = (
        "Encryption cannot be turned on in place: snapshot the instance, copy the snapshot with a KMS key, "
        "restore a new instance from the encrypted copy and switch the application over."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "storage_encrypted" not in attrs or attrs["storage_encrypted"]:
            return None
        engine = attrs.get("engine") or "database"
        return Violation(detail=f"{engine} instance {resource.name} stores data unencrypted.")
