"""The S3 bucket holding a trail's logs has no server access logging.

Reads the normalised `cloudtrail_trail` attributes s3_bucket and bucket_access_logging (None when
the bucket could not be read).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, SOC2, Rule, Severity, Violation


class TrailBucketWithoutAccessLogging(Rule):
    id: ClassVar[str] = "cloudtrail-bucket-access-logging"
    title: ClassVar[str] = "CloudTrail bucket has no access logging"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "cloudtrail_trail"
    description: ClassVar[str] = "Reads of the audit logs themselves leave no trace."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("3.4",),
        FSBP: ("CloudTrail.7",),
        SOC2: ("A1.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudtrail_logs_s3_bucket_access_logging_enabled",)
    remediation: ClassVar[str] = (
        "Turn on server access logging for the trail's bucket, delivering to a separate logging bucket."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        if resource.attributes.get("bucket_access_logging") is not False:
            return None
        bucket = resource.attributes.get("s3_bucket")
        return Violation(detail=f"Bucket {bucket} of trail {resource.name} has no server access logging.")
