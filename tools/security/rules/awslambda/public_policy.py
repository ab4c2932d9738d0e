"""Lambda function policy allows anyone.

The function's resource policy allows any principal to invoke or manage it without a source
condition.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, Severity
from tools.security.rule_kinds import PublicPolicyRule


class LambdaPublicPolicy(PublicPolicyRule):
    id: ClassVar[str] = "lambda-function-public-policy"
    title: ClassVar[str] = "Lambda function policy allows anyone"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "lambda_function"
    description: ClassVar[str] = (
        "The function's resource policy allows any principal to invoke or manage it without a "
        "source condition."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("Lambda.1",),
        PCI_DSS: ("1.2.8", "1.3.1", "1.3.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("awslambda_function_not_publicly_accessible",)
    remediation: ClassVar[str] = (
        "Remove the public statement (aws lambda remove-permission) or add aws:SourceAccount / "
        "aws:SourceArn conditions."
    )
