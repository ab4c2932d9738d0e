"""RDS instance uses the default master user name.

The master user is called "admin" or "postgres", the first names attackers try.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation

DEFAULT_USERS = frozenset({"admin", "postgres", "root", "sa", "administrator"})


class RdsDefaultAdminUser(Rule):
    id: ClassVar[str] = "rds-instance-default-admin"
    title: ClassVar[str] = "RDS instance uses the default master user name"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = (
        'The master user is called "admin" or "postgres", the first names attackers try.'
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.25",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_default_admin",)
    remediation: ClassVar[str] = (
        "Create a new instance (or restore a snapshot) with a non-default master user name, and "
        "use IAM authentication or Secrets Manager-managed credentials."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        user = resource.attributes.get("master_username")
        if user is None or str(user).lower() not in DEFAULT_USERS:
            return None
        return Violation(detail=f"Instance {resource.name}: master user is the default '{user}'.")
