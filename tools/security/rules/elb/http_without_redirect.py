"""Load balancer serves HTTP without redirecting to HTTPS.

An HTTP listener of an Application Load Balancer forwards requests instead of redirecting them to
HTTPS, so traffic can travel in clear text.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation


class HttpListenerWithoutRedirect(Rule):
    id: ClassVar[str] = "elb-http-listener-without-redirect"
    title: ClassVar[str] = "Load balancer serves HTTP without redirecting to HTTPS"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "load_balancer"
    description: ClassVar[str] = (
        "An HTTP listener of an Application Load Balancer forwards requests instead of "
        "redirecting them to HTTPS, so traffic can travel in clear text."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ELB.1",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("elbv2_ssl_listeners",)
    remediation: ClassVar[str] = (
        "Change the HTTP listener's default action to a redirect to HTTPS (port 443, status HTTP_301)."
    )
    remediation_action: ClassVar[str | None] = "redirect_http_to_https"

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        listeners = attrs.get("listeners")
        if listeners is None or attrs.get("lb_type") != "application":
            return None
        plain = [li for li in listeners if li.get("protocol") == "HTTP" and not li.get("redirects_to_https")]
        if not plain:
            return None
        ports = ", ".join(str(li.get("port")) for li in plain)
        params = {"listener_arn": plain[0]["arn"]} if len(plain) == 1 and plain[0].get("arn") else {}
        return Violation(
            detail=f"Load balancer {resource.name}: HTTP on port {ports} does not redirect to HTTPS.",
            remediation_params=params,
        )
