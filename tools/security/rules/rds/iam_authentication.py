"""RDS IAM database authentication is off.

Database users authenticate only with passwords; IAM authentication gives short-lived tokens tied
to IAM identities.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation

IAM_ENGINES = ("mysql", "postgres", "mariadb", "aurora")


class RdsWithoutIamAuth(Rule):
    id: ClassVar[str] = "rds-instance-iam-auth"
    title: ClassVar[str] = "RDS IAM database authentication is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = (
        "Database users authenticate only with passwords; IAM authentication gives short-lived "
        "tokens tied to IAM identities."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.10",),
        PCI_DSS: ("7.2.1", "7.2.2", "7.2.5"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_iam_authentication_enabled",)
    remediation: ClassVar[str] = (
        "Enable IAM database authentication (aws rds modify-db-instance --enable-iam-database-"
        "authentication) and move applications to tokens."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        engine = str(attrs.get("engine") or "").lower()
        if "iam_database_authentication_enabled" not in attrs or not engine.startswith(IAM_ENGINES):
            return None
        if attrs["iam_database_authentication_enabled"]:
            return None
        return Violation(detail=f"Instance {resource.name}: IAM database authentication is off.")
