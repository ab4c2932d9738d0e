"""RDS instance that does not take minor engine upgrades automatically.

Reads the normalised `rds_instance` attribute auto_minor_version_upgrade (bool).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Rule, Severity, Violation


class RdsMinorUpgradesOff(Rule):
    id: ClassVar[str] = "rds-instance-minor-upgrades"
    title: ClassVar[str] = "RDS auto minor version upgrade is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = "Security patches in minor engine versions are not applied automatically."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("2.3.2",),
        FSBP: ("RDS.13",),
        PCI_DSS: ("6.3.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_minor_version_upgrade_enabled",)
    remediation: ClassVar[str] = (
        "Turn on auto minor version upgrade (aws rds modify-db-instance --auto-minor-version-upgrade) and "
        "set a maintenance window."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        value = resource.attributes.get("auto_minor_version_upgrade")
        if value is None or value:
            return None
        return Violation(
            detail=f"Instance {resource.name} does not take minor version upgrades automatically."
        )
