"""No alarm on VPC changes.

No CloudWatch alarm fires on VPC changes recorded by CloudTrail.
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class VpcChangesAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-vpc-changes"
    title: ClassVar[str] = "No alarm on VPC changes"
    description: ClassVar[str] = "No CloudWatch alarm fires on VPC changes recorded by CloudTrail."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.14",),
        SOC2: ("CC5.2", "CC7.2", "CC7.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudwatch_changes_to_vpcs_alarm_configured",)
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "VPC changes"
    required: ClassVar[tuple[str, ...]] = ("CreateVpc", "DeleteVpc", "ModifyVpcAttribute")
