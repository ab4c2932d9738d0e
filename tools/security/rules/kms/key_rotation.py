"""Customer-managed symmetric KMS key without automatic rotation.

Reads the normalised `kms_key` attributes manager, state, spec and rotation_enabled.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class KeyRotationOff(Rule):
    id: ClassVar[str] = "kms-key-rotation"
    title: ClassVar[str] = "KMS key rotation is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "kms_key"
    description: ClassVar[str] = "A customer-managed symmetric key does not rotate its key material yearly."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("3.6",),
        FSBP: ("KMS.4",),
        PCI_DSS: ("3.7.4", "3.7.5"),
        SOC2: ("PI1.5",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("kms_cmk_rotation_enabled",)
    remediation: ClassVar[str] = (
        "Enable automatic rotation (aws kms enable-key-rotation); "
        "old material stays available for decryption."
    )
    remediation_action: ClassVar[str | None] = "enable_key_rotation"

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if attrs.get("manager") != "CUSTOMER" or attrs.get("state") != "Enabled":
            return None
        if attrs.get("spec") not in (None, "SYMMETRIC_DEFAULT") or attrs.get("rotation_enabled") is not False:
            return None
        return Violation(detail=f"Key {resource.name} does not rotate automatically.")
