"""User has AdministratorAccess attached.

The AWS-managed AdministratorAccess policy is attached to the user, giving it every permission in
the account.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation

ADMIN_POLICY = "AdministratorAccess"


class UserAdministratorAccess(Rule):
    id: ClassVar[str] = "iam-user-admin-access"
    title: ClassVar[str] = "User has AdministratorAccess attached"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "iam_user"
    description: ClassVar[str] = (
        "The AWS-managed AdministratorAccess policy is attached to the user, giving it every "
        "permission in the account."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.16",),
        FSBP: ("IAM.1",),
        PCI_DSS: ("7.2.1", "7.2.2", "7.2.5"),
        SOC2: ("CC1.3", "CC6.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "iam_user_administrator_access_policy",
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
        return Violation(detail=f"User {resource.name} has {ADMIN_POLICY} attached.")
