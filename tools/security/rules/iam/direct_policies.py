"""IAM user with policies attached directly rather than through groups.

Reads the normalised `iam_user` attributes attached_policies and inline_policies (names).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class DirectUserPolicies(Rule):
    id: ClassVar[str] = "iam-user-direct-policies"
    title: ClassVar[str] = "IAM user has policies attached directly"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "iam_user"
    description: ClassVar[str] = (
        "Permissions granted to individual users instead of groups or roles drift apart "
        "and are hard to review."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.15",),
        FSBP: ("IAM.2",),
        PCI_DSS: ("7.2.1", "7.2.2", "7.3.1"),
        SOC2: ("CC1.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_policy_attached_only_to_group_or_roles",)
    remediation: ClassVar[str] = (
        "Put the user in a group that carries these permissions (or give the workload a role), then detach "
        "the managed policies and delete the inline ones from the user."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attached = list(resource.attributes.get("attached_policies") or [])
        inline = list(resource.attributes.get("inline_policies") or [])
        if not attached and not inline:
            return None
        parts = []
        if attached:
            parts.append("attached " + ", ".join(attached))
        if inline:
            parts.append("inline " + ", ".join(inline))
        return Violation(detail=f"User {resource.name} has policies of its own: " + "; ".join(parts) + ".")
