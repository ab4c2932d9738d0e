"""No role can manage AWS Support cases.

No user, group or role has the AWSSupportAccess policy, so incidents cannot be raised with AWS
Support by an identity meant for it.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, Rule, Severity, Violation


class NoSupportRole(Rule):
    id: ClassVar[str] = "iam-support-role"
    title: ClassVar[str] = "No role can manage AWS Support cases"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "iam_account"
    description: ClassVar[str] = (
        "No user, group or role has the AWSSupportAccess policy, so incidents cannot be raised "
        "with AWS Support by an identity meant for it."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.17",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_support_role_created",)
    remediation: ClassVar[str] = (
        "Create a role for incident handlers and attach arn:aws:iam::aws:policy/AWSSupportAccess to it."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        entities = resource.attributes.get("support_access_entities")
        if entities is None or entities:
            return None
        return Violation(detail="No user, group or role has the AWSSupportAccess policy attached.")
