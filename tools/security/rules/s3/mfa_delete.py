"""S3 MFA delete is off.

Object versions can be deleted and versioning suspended without an MFA code, so stolen credentials
can destroy backups.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Rule, Severity, Violation


class BucketWithoutMfaDelete(Rule):
    id: ClassVar[str] = "s3-bucket-mfa-delete"
    title: ClassVar[str] = "S3 MFA delete is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        "Object versions can be deleted and versioning suspended without an MFA code, so stolen "
        "credentials can destroy backups."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("2.1.2",),
        FSBP: ("S3.20",),
        PCI_DSS: ("10.3.2", "3.5.1.3", "8.4.1"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_no_mfa_delete",)
    remediation: ClassVar[str] = (
        "With the root user's MFA, enable MFA delete on versioned buckets holding critical data "
        "(aws s3api put-bucket-versioning --mfa ... MFADelete=Enabled)."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if (
            "mfa_delete" not in attrs
            or attrs.get("versioning") != "Enabled"
            or attrs["mfa_delete"] == "Enabled"
        ):
            return None
        return Violation(detail=f"Bucket {resource.name}: versioned, but MFA delete is off.")
