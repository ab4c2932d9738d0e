"""Inline policy grants full KMS access.

An inline policy allows kms:* on every resource, so the identity can decrypt any data and schedule
any key for deletion.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import PCI_DSS, Rule, Severity, Violation
from tools.security.rule_kinds import grants_full_access


class InlinePolicyKmsFullAccess(Rule):
    id: ClassVar[str] = "iam-inline-policy-kms-full-access"
    title: ClassVar[str] = "Inline policy grants full KMS access"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "iam_inline_policy"
    description: ClassVar[str] = (
        "An inline policy allows kms:* on every resource, so the identity can decrypt any data "
        "and schedule any key for deletion."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        PCI_DSS: ("3.5.1.1", "3.5.1.3", "3.6.1.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_inline_policy_no_full_access_to_kms",)
    remediation: ClassVar[str] = (
        "Grant only the KMS actions needed, on the keys needed (kms:Decrypt on specific key "
        "ARNs); keep key administration to a key-admin role."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        document = resource.attributes.get("document")
        if document is None or not grants_full_access(document, "kms"):
            return None
        return Violation(detail=f"Inline policy {resource.name} allows 'kms:*' on every resource.")
