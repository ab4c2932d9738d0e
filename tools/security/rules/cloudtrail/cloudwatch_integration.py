"""CloudTrail trail that does not deliver to CloudWatch Logs.

Reads the normalised `cloudtrail_trail` attribute cloudwatch_log_group_arn.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class TrailWithoutCloudWatch(Rule):
    id: ClassVar[str] = "cloudtrail-cloudwatch-logs"
    title: ClassVar[str] = "CloudTrail is not sent to CloudWatch Logs"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "cloudtrail_trail"
    description: ClassVar[str] = (
        "Without CloudWatch Logs delivery there are no metric filters or alarms on API activity."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("CloudTrail.5",),
        PCI_DSS: ("10.4.1.1", "11.5.2", "12.10.5"),
        SOC2: ("CC7.2", "CC7.3", "PI1.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudtrail_cloudwatch_logging_enabled",)
    remediation: ClassVar[str] = (
        "Give the trail a CloudWatch Logs log group and a delivery role (aws cloudtrail update-trail "
        "--cloud-watch-logs-log-group-arn ... --cloud-watch-logs-role-arn ...)."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "cloudwatch_log_group_arn" not in attrs or attrs["cloudwatch_log_group_arn"]:
            return None
        return Violation(detail=f"Trail {resource.name} does not deliver to CloudWatch Logs.")
