"""Role has AdministratorAccess attached.

The AWS-managed AdministratorAccess policy is attached to the role, giving it every permission in
the account.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, SOC2, Rule, Severity, Violation

ADMIN_POLICY = "AdministratorAccess"


class RoleAdministratorAccess(Rule):
    id: ClassVar[str] = "iam-role-admin-access"
    title: ClassVar[str] = "Role has AdministratorAccess attached"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "iam_role"
    description: ClassVar[str] = (
        "The AWS-managed AdministratorAccess policy is attached to the role, giving it every "
        "permission in the account."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.16",),
        FSBP: ("IAM.1",),
        SOC2: ("CC1.3", "CC6.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "iam_role_administratoraccess_policy",
        "iam_aws_attached_policy_no_administrative_privileges",
    )
    remediation: ClassVar[str] = (
        "Detach AdministratorAccess and attach least-privilege policies; keep administrator "
        "access to a few MFA-protected break-glass roles."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attached = resource.attributes.get("attached_policies")
        if attached is None or ADMIN_POLICY not in attached:
            return None
        return Violation(detail=f"Role {resource.name} has {ADMIN_POLICY} attached.")
