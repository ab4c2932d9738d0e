"""Inline policy grants full administrator access.

An inline policy of a user, group or role allows every action on every resource ("*:*"), giving
that identity complete control of the account.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, SOC2, Rule, Severity, Violation
from tools.security.rule_kinds import grants_full_access


class InlinePolicyFullAdmin(Rule):
    id: ClassVar[str] = "iam-inline-policy-full-admin"
    title: ClassVar[str] = "Inline policy grants full administrator access"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "iam_inline_policy"
    description: ClassVar[str] = (
        'An inline policy of a user, group or role allows every action on every resource ("*:*"),'
        " giving that identity complete control of the account."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("IAM.1",),
        SOC2: ("CC1.3", "CC6.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_inline_policy_no_administrative_privileges",)
    remediation: ClassVar[str] = (
        "Replace the inline policy with a least-privilege managed policy (grant administrator "
        "access only through a controlled, MFA-protected role), then delete the inline policy."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        document = resource.attributes.get("document")
        if document is None or not grants_full_access(document, None):
            return None
        return Violation(detail=f"Inline policy {resource.name} allows '*' on every resource.")
