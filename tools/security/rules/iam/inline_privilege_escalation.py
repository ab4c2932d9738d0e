"""Inline policy allows privilege escalation.

The policy grants IAM actions (alone or in combination) that let its holder give themselves more
permissions, such as creating policy versions, attaching policies or passing a role to a new
compute resource.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import SOC2, Rule, Severity, Violation
from tools.security.rules.iam.escalation import escalation_paths


class InlinePolicyPrivilegeEscalation(Rule):
    id: ClassVar[str] = "iam-inline-policy-privilege-escalation"
    title: ClassVar[str] = "Inline policy allows privilege escalation"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "iam_inline_policy"
    description: ClassVar[str] = (
        "The policy grants IAM actions (alone or in combination) that let its holder give "
        "themselves more permissions, such as creating policy versions, attaching policies or "
        "passing a role to a new compute resource."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        SOC2: ("CC3.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_inline_policy_allows_privilege_escalation",)
    remediation: ClassVar[str] = (
        "Remove the escalation actions, or scope them to specific resources with conditions (e.g."
        " a permissions boundary that must be kept)."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        document = resource.attributes.get("document")
        if document is None:
            return None
        found = escalation_paths(document)
        if not found:
            return None
        return Violation(
            detail=f"Inline policy {resource.name} allows privilege escalation through "
            + "; ".join(found)
            + "."
        )
