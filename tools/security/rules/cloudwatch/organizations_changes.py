"""No alarm on AWS Organizations changes.

No CloudWatch alarm fires on AWS Organizations changes recorded by CloudTrail.
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class OrganizationsChangesAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-organizations-changes"
    title: ClassVar[str] = "No alarm on AWS Organizations changes"
    description: ClassVar[str] = (
        "No CloudWatch alarm fires on AWS Organizations changes recorded by CloudTrail."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.15",),
        SOC2: ("CC5.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudwatch_log_metric_filter_aws_organizations_changes",)
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "AWS Organizations changes"
    required: ClassVar[tuple[str, ...]] = ("organizations.amazonaws.com",)
