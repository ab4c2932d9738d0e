"""Internet-facing ALB has no WAF.

No AWS WAF web ACL filters requests to the internet-facing Application Load Balancer.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation


class AlbWithoutWaf(Rule):
    id: ClassVar[str] = "elb-waf"
    title: ClassVar[str] = "Internet-facing ALB has no WAF"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "load_balancer"
    description: ClassVar[str] = (
        "No AWS WAF web ACL filters requests to the internet-facing Application Load Balancer."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ELB.16",),
        PCI_DSS: ("6.4.1", "6.4.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("elbv2_waf_acl_attached",)
    remediation: ClassVar[str] = (
        "Associate a WAFv2 web ACL (with AWS managed rule groups) with the load balancer."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if (
            attrs.get("lb_type") != "application"
            or attrs.get("scheme") != "internet-facing"
            or "waf_web_acl" not in attrs
        ):
            return None
        if attrs["waf_web_acl"]:
            return None
        return Violation(detail=f"Load balancer {resource.name} is internet-facing without a WAF web ACL.")
