"""CloudFront distribution has no WAF.

No AWS WAF web ACL filters requests to the distribution.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation


class CloudFrontWithoutWaf(Rule):
    id: ClassVar[str] = "cloudfront-waf"
    title: ClassVar[str] = "CloudFront distribution has no WAF"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "cloudfront_distribution"
    description: ClassVar[str] = "No AWS WAF web ACL filters requests to the distribution."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("CloudFront.6",),
        PCI_DSS: ("1.2.8", "1.3.1", "1.3.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudfront_distributions_using_waf",)
    remediation: ClassVar[str] = "Associate a WAFv2 web ACL (scope CLOUDFRONT) with the distribution."

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "web_acl_id" not in attrs or attrs["web_acl_id"]:
            return None
        return Violation(detail=f"Distribution {resource.name} has no WAF web ACL.")
