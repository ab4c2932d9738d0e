"""API Gateway stage has no WAF.

No AWS WAF web ACL filters requests to the public stage.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation


class ApiStageWithoutWaf(Rule):
    id: ClassVar[str] = "apigateway-stage-waf"
    title: ClassVar[str] = "API Gateway stage has no WAF"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "api_gateway_stage"
    description: ClassVar[str] = "No AWS WAF web ACL filters requests to the public stage."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("APIGateway.4",),
        PCI_DSS: ("1.2.8", "1.3.1", "1.3.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("apigateway_restapi_waf_acl_attached",)
    remediation: ClassVar[str] = "Associate a WAFv2 web ACL with the stage."

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if (
            "web_acl_arn" not in attrs
            or attrs["web_acl_arn"]
            or "PRIVATE" in (attrs.get("endpoint_types") or [])
        ):
            return None
        return Violation(detail=f"Stage {resource.name} has no WAF web ACL.")
