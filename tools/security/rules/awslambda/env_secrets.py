"""Lambda environment holds secrets.

Environment variables look like credentials (passwords, tokens, keys); anyone who can read the
function configuration reads them.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import Rule, Severity, Violation


class LambdaSecretsInEnvironment(Rule):
    id: ClassVar[str] = "lambda-function-env-secrets"
    title: ClassVar[str] = "Lambda environment holds secrets"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "lambda_function"
    description: ClassVar[str] = (
        "Environment variables look like credentials (passwords, tokens, keys); anyone who can "
        "read the function configuration reads them."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("awslambda_function_no_secrets_in_variables",)
    remediation: ClassVar[str] = (
        "Move the values to Secrets Manager or SSM Parameter Store (SecureString), read them at "
        "run time, and rotate them."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        names = resource.attributes.get("secret_env_vars")
        if not names:
            return None
        return Violation(detail=f"Function {resource.name}: variables {', '.join(names)} look like secrets.")
