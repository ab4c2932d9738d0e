"""CloudWatch alarm for unauthorized API calls (CIS 4.1).

Reads the normalised `cloudwatch_account` attributes (see alarm.py).
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class UnauthorizedApiCallsAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-unauthorized-api-calls"
    title: ClassVar[str] = "No alarm on unauthorized API calls"
    description: ClassVar[str] = "No CloudWatch alarm fires on unauthorized API calls recorded by CloudTrail."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.1",),
        SOC2: ("PI1.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudwatch_log_metric_filter_unauthorized_api_calls",)
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "unauthorized API calls"
    required: ClassVar[tuple[str, ...]] = (
        '$.errorCode = "*UnauthorizedOperation"',
        '$.errorCode = "AccessDenied*"',
    )
