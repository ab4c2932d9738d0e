"""Customer policy grants full CloudTrail access.

A customer-managed policy allows cloudtrail:* on every resource, so whoever holds it can stop or
delete the audit trail.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import SOC2, Rule, Severity, Violation
from tools.security.rule_kinds import grants_full_access


class PolicyCloudTrailFullAccess(Rule):
    id: ClassVar[str] = "iam-policy-cloudtrail-full-access"
    title: ClassVar[str] = "Customer policy grants full CloudTrail access"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "iam_policy"
    description: ClassVar[str] = (
        "A customer-managed policy allows cloudtrail:* on every resource, so whoever holds it can"
        " stop or delete the audit trail."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        SOC2: ("CC3.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_policy_no_full_access_to_cloudtrail",)
    remediation: ClassVar[str] = (
        "Limit the policy to the CloudTrail read actions needed; keep trail changes to a "
        "dedicated security role."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        document = resource.attributes.get("document")
        if document is None or not grants_full_access(document, "cloudtrail"):
            return None
        return Violation(detail=f"Policy {resource.name} allows 'cloudtrail:*' on every resource.")
