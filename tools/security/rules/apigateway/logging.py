"""API Gateway stage logging is off.

Neither execution logging nor access logging is on for the stage, so API calls cannot be
investigated.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class ApiStageWithoutLogging(Rule):
    id: ClassVar[str] = "apigateway-stage-logging"
    title: ClassVar[str] = "API Gateway stage logging is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "api_gateway_stage"
    description: ClassVar[str] = (
        "Neither execution logging nor access logging is on for the stage, so API calls cannot be"
        " investigated."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("APIGateway.1",),
        PCI_DSS: ("10.2.1.1", "10.2.1.2", "10.2.1.3"),
        SOC2: ("CC7.2", "CC7.3", "A1.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("apigateway_restapi_logging_enabled",)
    remediation: ClassVar[str] = (
        "Enable CloudWatch execution logging (ERROR or INFO) and access logging on the stage."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "execution_logging" not in attrs or attrs["execution_logging"] or attrs.get("access_logging"):
            return None
        return Violation(detail=f"Stage {resource.name}: execution and access logging are off.")
