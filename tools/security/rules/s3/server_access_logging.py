"""S3 server access logging is off.

Requests to the bucket are not logged, so access to its objects cannot be investigated.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class BucketWithoutAccessLogging(Rule):
    id: ClassVar[str] = "s3-bucket-access-logging"
    title: ClassVar[str] = "S3 server access logging is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        "Requests to the bucket are not logged, so access to its objects cannot be investigated."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("S3.9",),
        PCI_DSS: ("10.2.1.1", "10.2.1.2", "10.2.1.3"),
        SOC2: ("CC7.2", "CC7.3", "A1.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_server_access_logging_enabled",)
    remediation: ClassVar[str] = (
        "Enable server access logging to a separate log bucket (aws s3api put-bucket-logging), or"
        " CloudTrail S3 data events."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "logging" not in attrs or attrs["logging"]:
            return None
        return Violation(detail=f"Bucket {resource.name}: server access logging is off.")
