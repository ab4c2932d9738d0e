"""Lambda function URL needs no authentication.

The function has a URL with auth type NONE, so anyone on the internet can invoke it.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, Severity
from tools.security.rule_kinds import SettingRule


class LambdaPublicUrl(SettingRule):
    id: ClassVar[str] = "lambda-function-public-url"
    title: ClassVar[str] = "Lambda function URL needs no authentication"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "lambda_function"
    description: ClassVar[str] = (
        "The function has a URL with auth type NONE, so anyone on the internet can invoke it."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("Lambda.1",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("awslambda_function_url_public",)
    remediation: ClassVar[str] = (
        "Set the URL's auth type to AWS_IAM, or delete the URL and front the function with API "
        "Gateway and an authoriser."
    )
    attribute: ClassVar[str] = "url_auth_type"
    passing: ClassVar[tuple[object, ...]] = ("AWS_IAM",)
    failure: ClassVar[str] = "Function {name}: its URL allows unauthenticated invocation (auth type {value})."
