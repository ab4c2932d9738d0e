"""VPC without flow logs.

Reads the normalised `vpc` attribute flow_logs (number of active flow logs).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class VpcWithoutFlowLogs(Rule):
    id: ClassVar[str] = "ec2-vpc-flow-logs"
    title: ClassVar[str] = "VPC flow logging is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "vpc"
    description: ClassVar[str] = "The VPC has no active flow log, so its network traffic leaves no record."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("3.7",),
        FSBP: ("EC2.6",),
        PCI_DSS: ("10.2.1", "10.2.2"),
        SOC2: ("CC7.2", "CC7.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("vpc_flow_logs_enabled",)
    remediation: ClassVar[str] = (
        "Create a flow log for the VPC (at least REJECT traffic) to CloudWatch Logs or an S3 bucket."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        flows = resource.attributes.get("flow_logs")
        if flows is None or int(flows) > 0:
            return None
        default = " (the region's default VPC)" if resource.attributes.get("is_default") else ""
        return Violation(detail=f"VPC {resource.name}{default} has no flow log.")
