"""API Gateway stage has no client certificate.

The backend cannot tell requests from API Gateway apart from anyone else's, as no client
certificate is presented.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, Severity
from tools.security.rule_kinds import SettingRule


class ApiStageWithoutClientCertificate(SettingRule):
    id: ClassVar[str] = "apigateway-stage-client-certificate"
    title: ClassVar[str] = "API Gateway stage has no client certificate"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "api_gateway_stage"
    description: ClassVar[str] = (
        "The backend cannot tell requests from API Gateway apart from anyone else's, as no client"
        " certificate is presented."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("APIGateway.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("apigateway_restapi_client_certificate_enabled",)
    remediation: ClassVar[str] = (
        "Generate a client certificate and set it on the stage; verify it at the backend."
    )
    attribute: ClassVar[str] = "client_certificate"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Stage {name} presents no client certificate to its backend."
