"""CloudTrail trail whose logs are not encrypted with a KMS key.

Reads the normalised `cloudtrail_trail` attribute kms_key_id.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Rule, Severity, Violation


class TrailWithoutKms(Rule):
    id: ClassVar[str] = "cloudtrail-kms-encryption"
    title: ClassVar[str] = "CloudTrail logs are not encrypted with KMS"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "cloudtrail_trail"
    description: ClassVar[str] = (
        "The trail uses only S3-managed encryption, so anyone who can read the bucket can read the logs."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("3.5",),
        FSBP: ("CloudTrail.2",),
        PCI_DSS: ("10.3.2", "3.5.1"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudtrail_kms_encryption_enabled",)
    remediation: ClassVar[str] = (
        "Create a customer-managed KMS key whose policy lets CloudTrail encrypt and your auditors decrypt, "
        "then set it on the trail (aws cloudtrail update-trail --kms-key-id ...)."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "kms_key_id" not in attrs or attrs["kms_key_id"]:
            return None
        return Violation(detail=f"Trail {resource.name} is not encrypted with a KMS key.")
