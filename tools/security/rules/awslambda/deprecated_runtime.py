"""Lambda runtime is deprecated.

The function runs on a runtime AWS no longer patches, so security fixes stop reaching it.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation

# Runtimes past their deprecation date (AWS Lambda runtime deprecation policy).
DEPRECATED_RUNTIMES = frozenset(
    {
        "python2.7",
        "python3.6",
        "python3.7",
        "python3.8",
        "nodejs",
        "nodejs4.3",
        "nodejs4.3-edge",
        "nodejs6.10",
        "nodejs8.10",
        "nodejs10.x",
        "nodejs12.x",
        "nodejs14.x",
        "nodejs16.x",
        "java8",
        "dotnetcore1.0",
        "dotnetcore2.0",
        "dotnetcore2.1",
        "dotnetcore3.1",
        "dotnet5.0",
        "dotnet6",
        "ruby2.5",
        "ruby2.7",
        "go1.x",
        "provided",
    }
)


class LambdaDeprecatedRuntime(Rule):
    id: ClassVar[str] = "lambda-function-deprecated-runtime"
    title: ClassVar[str] = "Lambda runtime is deprecated"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "lambda_function"
    description: ClassVar[str] = (
        "The function runs on a runtime AWS no longer patches, so security fixes stop reaching it."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("Lambda.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("awslambda_function_using_supported_runtimes",)
    remediation: ClassVar[str] = "Move the function to a supported runtime version and redeploy."

    def evaluate(self, resource: Resource) -> Violation | None:
        runtime = resource.attributes.get("runtime")
        if not runtime or runtime not in DEPRECATED_RUNTIMES:
            return None
        return Violation(detail=f"Function {resource.name} runs the deprecated runtime {runtime}.")
