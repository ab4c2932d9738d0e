"""CloudFront accepts deprecated TLS.

Viewers or origins may negotiate SSLv3, TLS 1.0 or TLS 1.1.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation

DEPRECATED_VIEWER = frozenset({"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"})
DEPRECATED_ORIGIN = frozenset({"SSLv3", "TLSv1", "TLSv1.1"})


class CloudFrontDeprecatedTls(Rule):
    id: ClassVar[str] = "cloudfront-deprecated-tls"
    title: ClassVar[str] = "CloudFront accepts deprecated TLS"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "cloudfront_distribution"
    description: ClassVar[str] = "Viewers or origins may negotiate SSLv3, TLS 1.0 or TLS 1.1."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("CloudFront.10",),
        PCI_DSS: ("1.2.5", "2.2.5", "2.2.7"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudfront_distributions_using_deprecated_ssl_protocols",)
    remediation: ClassVar[str] = (
        "Use a viewer security policy of TLSv1.2_2021 or later and remove SSLv3/TLSv1/TLSv1.1 "
        "from origin SSL protocols."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        weak = []
        version = attrs.get("minimum_protocol_version")
        if version in DEPRECATED_VIEWER:
            weak.append(f"viewer minimum {version}")
        for origin in attrs.get("custom_origins") or []:
            old = [p for p in origin.get("ssl_protocols") or [] if p in DEPRECATED_ORIGIN]
            if old:
                weak.append(f"origin {origin.get('id')} allows {', '.join(old)}")
        if not weak:
            return None
        return Violation(detail=f"Distribution {resource.name}: " + "; ".join(weak) + ".")
