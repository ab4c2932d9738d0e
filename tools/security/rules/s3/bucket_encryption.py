"""S3 bucket without default encryption.

Reads the normalised `s3_bucket` attribute encryption ("AES256", "aws:kms", ... or None).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import PCI_DSS, SOC2, Rule, Severity, Violation


class BucketWithoutEncryption(Rule):
    id: ClassVar[str] = "s3-bucket-encryption"
    title: ClassVar[str] = "S3 bucket has no default encryption"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = "The bucket has no default server-side encryption configuration."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        PCI_DSS: ("3.5.1", "8.3.2"),
        SOC2: ("PI1.4",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_default_encryption",)
    remediation: ClassVar[str] = (
        "Set default encryption on the bucket: SSE-S3 (AES256) at least, SSE-KMS with a customer-managed "
        "key for sensitive data."
    )
    remediation_action: ClassVar[str | None] = "enable_bucket_encryption"

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "encryption" not in attrs or attrs["encryption"]:
            return None
        return Violation(detail=f"Bucket {resource.name} has no default encryption.")
