"""API Gateway REST API has no authoriser.

The API defines no Lambda or Cognito authoriser, so its methods rely on nothing or on API keys
only.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import Rule, Severity, Violation


class ApiWithoutAuthorizer(Rule):
    id: ClassVar[str] = "apigateway-no-authorizer"
    title: ClassVar[str] = "API Gateway REST API has no authoriser"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "api_gateway_stage"
    description: ClassVar[str] = (
        "The API defines no Lambda or Cognito authoriser, so its methods rely on nothing or on API keys only."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("apigateway_restapi_authorizers_enabled",)
    remediation: ClassVar[str] = (
        "Add a Cognito user pool or Lambda authoriser (or IAM authorisation) to the methods."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if (
            attrs.get("authorizers") is None
            or attrs["authorizers"] > 0
            or "PRIVATE" in (attrs.get("endpoint_types") or [])
        ):
            return None
        return Violation(detail=f"API {attrs.get('api_name') or resource.name} has no authoriser.")
