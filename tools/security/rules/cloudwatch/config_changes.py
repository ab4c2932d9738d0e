"""No alarm on AWS Config configuration changes.

No CloudWatch alarm fires on AWS Config configuration changes recorded by CloudTrail.
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class ConfigChangesAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-config-changes"
    title: ClassVar[str] = "No alarm on AWS Config configuration changes"
    description: ClassVar[str] = (
        "No CloudWatch alarm fires on AWS Config configuration changes recorded by CloudTrail."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.9",),
        SOC2: ("CC5.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "cloudwatch_log_metric_filter_and_alarm_for_aws_config_configuration_changes_enabled",
    )
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "AWS Config configuration changes"
    required: ClassVar[tuple[str, ...]] = ("StopConfigurationRecorder", "DeleteDeliveryChannel")
