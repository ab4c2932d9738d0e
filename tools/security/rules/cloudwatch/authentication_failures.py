"""No alarm on console authentication failures.

No CloudWatch alarm fires on console authentication failures recorded by CloudTrail.
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class AuthenticationFailuresAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-console-auth-failures"
    title: ClassVar[str] = "No alarm on console authentication failures"
    description: ClassVar[str] = (
        "No CloudWatch alarm fires on console authentication failures recorded by CloudTrail."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.6",),
        SOC2: ("PI1.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudwatch_log_metric_filter_authentication_failures",)
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "console authentication failures"
    required: ClassVar[tuple[str, ...]] = ('"ConsoleLogin"', '"Failed authentication"')
