"""CloudFront allows plain HTTP.

A cache behaviour's viewer protocol policy is allow-all, so viewers can use unencrypted HTTP.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation


class CloudFrontAllowsHttp(Rule):
    id: ClassVar[str] = "cloudfront-https"
    title: ClassVar[str] = "CloudFront allows plain HTTP"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "cloudfront_distribution"
    description: ClassVar[str] = (
        "A cache behaviour's viewer protocol policy is allow-all, so viewers can use unencrypted HTTP."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("CloudFront.3",),
        PCI_DSS: ("1.2.5", "2.2.5", "2.2.7"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudfront_distributions_https_enabled",)
    remediation: ClassVar[str] = (
        "Set every cache behaviour's viewer protocol policy to redirect-to-https or https-only."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        policies = resource.attributes.get("viewer_protocol_policies")
        if not policies or "allow-all" not in policies:
            return None
        return Violation(detail=f"Distribution {resource.name}: a cache behaviour allows plain HTTP.")
