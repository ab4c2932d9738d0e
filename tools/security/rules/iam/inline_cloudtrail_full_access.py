"""Inline policy grants full CloudTrail access.

An inline policy allows cloudtrail:* on every resource, so the identity can stop or delete the
audit trail.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import Rule, Severity, Violation
from tools.security.rule_kinds import grants_full_access


class InlinePolicyCloudTrailFullAccess(Rule):
    id: ClassVar[str] = "iam-inline-policy-cloudtrail-full-access"
    title: ClassVar[str] = "Inline policy grants full CloudTrail access"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "iam_inline_policy"
    description: ClassVar[str] = (
        "An inline policy allows cloudtrail:* on every resource, so the identity can stop or "
        "delete the audit trail."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_inline_policy_no_full_access_to_cloudtrail",)
    remediation: ClassVar[str] = (
        "Limit the policy to the CloudTrail read actions the identity needs; keep trail changes "
        "to a dedicated security role."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        document = resource.attributes.get("document")
        if document is None or not grants_full_access(document, "cloudtrail"):
            return None
        return Violation(detail=f"Inline policy {resource.name} allows 'cloudtrail:*' on every resource.")
