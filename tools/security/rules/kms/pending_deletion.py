"""Customer-managed KMS key scheduled for deletion.

Reads the normalised `kms_key` attributes manager, state and deletion_date.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation


class KeyPendingDeletion(Rule):
    id: ClassVar[str] = "kms-key-pending-deletion"
    title: ClassVar[str] = "KMS key is scheduled for deletion"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "kms_key"
    description: ClassVar[str] = (
        "Once deleted, everything encrypted under the key is unreadable for good; "
        "check nothing still uses it."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("KMS.3",),
        PCI_DSS: ("3.6.1",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("kms_cmk_not_deleted_unintentionally",)
    remediation: ClassVar[str] = (
        "If anything still uses the key (CloudTrail 'Decrypt' events name it), cancel the deletion "
        "(aws kms cancel-key-deletion) and re-enable the key."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if attrs.get("manager") != "CUSTOMER" or attrs.get("state") != "PendingDeletion":
            return None
        when = attrs.get("deletion_date") or "soon"
        return Violation(detail=f"Key {resource.name} will be deleted on {when}.")
