"""Lambda function is not in a VPC.

The function runs outside your VPCs, so its network traffic cannot be controlled with security
groups or VPC endpoints.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation


class LambdaOutsideVpc(Rule):
    id: ClassVar[str] = "lambda-function-not-in-vpc"
    title: ClassVar[str] = "Lambda function is not in a VPC"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "lambda_function"
    description: ClassVar[str] = (
        "The function runs outside your VPCs, so its network traffic cannot be controlled with "
        "security groups or VPC endpoints."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("Lambda.3",),
        PCI_DSS: ("1.2.8", "1.3.1", "1.3.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("awslambda_function_inside_vpc",)
    remediation: ClassVar[str] = (
        "Attach the function to private subnets of a VPC with the endpoints it needs."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "vpc_id" not in attrs or attrs["vpc_id"]:
            return None
        return Violation(detail=f"Function {resource.name} is not attached to a VPC.")
