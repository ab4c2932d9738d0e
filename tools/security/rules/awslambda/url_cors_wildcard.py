"""Lambda function URL allows any origin.

The function URL's CORS configuration allows every origin (*), so any website can call it from a
visitor's browser.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import Rule, Severity, Violation


class LambdaUrlCorsWildcard(Rule):
    id: ClassVar[str] = "lambda-function-url-cors-wildcard"
    title: ClassVar[str] = "Lambda function URL allows any origin"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "lambda_function"
    description: ClassVar[str] = (
        "The function URL's CORS configuration allows every origin (*), so any website can call "
        "it from a visitor's browser."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("awslambda_function_url_cors_policy",)
    remediation: ClassVar[str] = "List the allowed origins explicitly in the URL's CORS settings."

    def evaluate(self, resource: Resource) -> Violation | None:
        origins = resource.attributes.get("url_cors_origins")
        if not origins or "*" not in origins:
            return None
        return Violation(detail=f"Function {resource.name}: its URL allows CORS from any origin.")
