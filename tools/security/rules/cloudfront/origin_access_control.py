"""CloudFront S3 origin has no origin access control.

An S3 origin is reached without origin access control (or a legacy identity), so the bucket must be
public for it to work.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation


class CloudFrontS3WithoutOac(Rule):
    id: ClassVar[str] = "cloudfront-s3-origin-access-control"
    title: ClassVar[str] = "CloudFront S3 origin has no origin access control"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "cloudfront_distribution"
    description: ClassVar[str] = (
        "An S3 origin is reached without origin access control (or a legacy identity), so the "
        "bucket must be public for it to work."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("CloudFront.13",),
        PCI_DSS: ("10.3.4",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudfront_distributions_s3_origin_access_control",)
    remediation: ClassVar[str] = (
        "Create an origin access control, attach it to the S3 origin and allow only the "
        "distribution in the bucket policy."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        origins = resource.attributes.get("s3_origins")
        if not origins:
            return None
        bare = [o.get("id") for o in origins if not o.get("oac")]
        if not bare:
            return None
        names = ", ".join(map(str, bare))
        return Violation(
            detail=f"Distribution {resource.name}: S3 origin {names} has no origin access control."
        )
