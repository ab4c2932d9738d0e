"""API Gateway X-Ray tracing is off.

Requests are not traced, so latency and failures across services are hard to follow.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, Severity
from tools.security.rule_kinds import SettingRule


class ApiStageWithoutTracing(SettingRule):
    id: ClassVar[str] = "apigateway-stage-tracing"
    title: ClassVar[str] = "API Gateway X-Ray tracing is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "api_gateway_stage"
    description: ClassVar[str] = (
        "Requests are not traced, so latency and failures across services are hard to follow."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("APIGateway.3",),
        PCI_DSS: ("10.2.1.1", "10.2.1.2", "10.2.1.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("apigateway_restapi_tracing_enabled",)
    remediation: ClassVar[str] = "Enable X-Ray tracing on the stage."
    attribute: ClassVar[str] = "tracing"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Stage {name}: X-Ray tracing is off."
