"""S3 bucket is not encrypted with KMS.

The bucket's default encryption is not SSE-KMS, so access to the data cannot be limited or audited
through a key policy.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class BucketWithoutKms(Rule):
    id: ClassVar[str] = "s3-bucket-kms-encryption"
    title: ClassVar[str] = "S3 bucket is not encrypted with KMS"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        "The bucket's default encryption is not SSE-KMS, so access to the data cannot be limited "
        "or audited through a key policy."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("S3.17",),
        PCI_DSS: ("3.5.1", "8.3.2"),
        SOC2: ("PI1.4",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_kms_encryption",)
    remediation: ClassVar[str] = (
        "Set default encryption to SSE-KMS with a customer-managed key and enable bucket keys."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "encryption" not in attrs or str(attrs["encryption"]).startswith("aws:kms"):
            return None
        current = attrs["encryption"] or "off"
        return Violation(detail=f"Bucket {resource.name}: default encryption is {current}, not SSE-KMS.")
