"""RDS instance without deletion protection.

Reads the normalised `rds_instance` attribute deletion_protection (bool).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, SOC2, Rule, Severity, Violation


class RdsDeletionProtection(Rule):
    id: ClassVar[str] = "rds-instance-deletion-protection"
    title: ClassVar[str] = "RDS deletion protection is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = "The database can be deleted by a single API call or console click."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.8",),
        SOC2: ("C1.1",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_deletion_protection",)
    remediation: ClassVar[str] = (
        "Turn on deletion protection (aws rds modify-db-instance --deletion-protection) "
        "for databases that matter."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "deletion_protection" not in attrs or attrs["deletion_protection"]:
            return None
        return Violation(detail=f"Instance {resource.name} has no deletion protection.")
