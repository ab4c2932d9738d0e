"""CloudWatch alarm for CloudTrail configuration changes (CIS 4.5).

Reads the normalised `cloudwatch_account` attributes (see alarm.py).
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class CloudTrailChangesAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-cloudtrail-changes"
    title: ClassVar[str] = "No alarm on CloudTrail configuration changes"
    description: ClassVar[str] = (
        "No CloudWatch alarm fires on CloudTrail configuration changes recorded by CloudTrail."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.5",),
        SOC2: ("CC5.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "cloudwatch_log_metric_filter_and_alarm_for_cloudtrail_configuration_changes_enabled",
    )
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "CloudTrail configuration changes"
    required: ClassVar[tuple[str, ...]] = (
        "CreateTrail",
        "UpdateTrail",
        "DeleteTrail",
        "StartLogging",
        "StopLogging",
    )
