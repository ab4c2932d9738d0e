"""CloudWatch alarm for root user activity (CIS 4.3).

Reads the normalised `cloudwatch_account` attributes (see alarm.py).
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class RootUsageAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-root-usage"
    title: ClassVar[str] = "No alarm on root user activity"
    description: ClassVar[str] = "No CloudWatch alarm fires on root user activity recorded by CloudTrail."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.3",),
        SOC2: ("PI1.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudwatch_log_metric_filter_root_usage",)
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "root user activity"
    required: ClassVar[tuple[str, ...]] = (
        '$.userIdentity.type = "Root"',
        "$.userIdentity.invokedBy NOT EXISTS",
        '$.eventType != "AwsServiceEvent"',
    )
