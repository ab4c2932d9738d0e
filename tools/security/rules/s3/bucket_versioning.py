"""S3 bucket without versioning.

Reads the normalised `s3_bucket` attribute versioning ("Enabled", "Suspended" or None).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class BucketWithoutVersioning(Rule):
    id: ClassVar[str] = "s3-bucket-versioning"
    title: ClassVar[str] = "S3 bucket versioning is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        "Without versioning an overwrite or delete (by mistake or by ransomware) cannot be undone."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("S3.14",),
        PCI_DSS: ("10.3.4",),
        SOC2: ("A1.2", "CC7.4", "PI1.5"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_object_versioning",)
    remediation: ClassVar[str] = (
        "Enable versioning and add a lifecycle rule that expires noncurrent versions "
        "after a retention period."
    )
    remediation_action: ClassVar[str | None] = "enable_bucket_versioning"

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "versioning" not in attrs or attrs["versioning"] == "Enabled":
            return None
        state = "suspended" if attrs["versioning"] == "Suspended" else "never enabled"
        return Violation(detail=f"Bucket {resource.name}: versioning {state}.")
