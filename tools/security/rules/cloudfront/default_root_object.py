"""CloudFront has no default root object.

Requests for the root URL go straight to the origin, which may list the bucket's contents.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation


class CloudFrontWithoutDefaultRootObject(Rule):
    id: ClassVar[str] = "cloudfront-default-root-object"
    title: ClassVar[str] = "CloudFront has no default root object"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "cloudfront_distribution"
    description: ClassVar[str] = (
        "Requests for the root URL go straight to the origin, which may list the bucket's contents."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("CloudFront.1",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudfront_distributions_default_root_object",)
    remediation: ClassVar[str] = "Set a default root object such as index.html."

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "default_root_object" not in attrs or attrs["default_root_object"] or not attrs.get("s3_origins"):
            return None
        return Violation(detail=f"Distribution {resource.name} has no default root object.")
