"""CloudFront reaches an origin over HTTP.

A custom origin is fetched over plain HTTP, so content travels unencrypted between CloudFront and
the origin.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation


class CloudFrontPlainOrigin(Rule):
    id: ClassVar[str] = "cloudfront-origin-http"
    title: ClassVar[str] = "CloudFront reaches an origin over HTTP"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "cloudfront_distribution"
    description: ClassVar[str] = (
        "A custom origin is fetched over plain HTTP, so content travels unencrypted between "
        "CloudFront and the origin."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("CloudFront.9",),
        PCI_DSS: ("1.2.5", "2.2.5", "2.2.7"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudfront_distributions_origin_traffic_encrypted",)
    remediation: ClassVar[str] = "Set the origin protocol policy to https-only."

    def evaluate(self, resource: Resource) -> Violation | None:
        origins = resource.attributes.get("custom_origins")
        if not origins:
            return None
        plain = [o.get("id") for o in origins if o.get("protocol_policy") in ("http-only", "match-viewer")]
        if not plain:
            return None
        names = ", ".join(map(str, plain))
        return Violation(detail=f"Distribution {resource.name}: origin {names} may be reached over HTTP.")
