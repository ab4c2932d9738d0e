"""Customer policy grants full KMS access.

A customer-managed policy allows kms:* on every resource, so whoever holds it can decrypt any data
and delete keys.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import PCI_DSS, Rule, Severity, Violation
from tools.security.rule_kinds import grants_full_access


class PolicyKmsFullAccess(Rule):
    id: ClassVar[str] = "iam-policy-kms-full-access"
    title: ClassVar[str] = "Customer policy grants full KMS access"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "iam_policy"
    description: ClassVar[str] = (
        "A customer-managed policy allows kms:* on every resource, so whoever holds it can "
        "decrypt any data and delete keys."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        PCI_DSS: ("3.5.1.1", "3.5.1.3", "3.6.1.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_policy_no_full_access_to_kms",)
    remediation: ClassVar[str] = "Grant only the KMS actions needed, on specific key ARNs."

    def evaluate(self, resource: Resource) -> Violation | None:
        document = resource.attributes.get("document")
        if document is None or not grants_full_access(document, "kms"):
            return None
        return Violation(detail=f"Policy {resource.name} allows 'kms:*' on every resource.")
