"""CloudWatch alarm for console sign-ins without MFA (CIS 4.2).

Reads the normalised `cloudwatch_account` attributes (see alarm.py).
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class ConsoleSigninWithoutMfaAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-console-signin-without-mfa"
    title: ClassVar[str] = "No alarm on console sign-in without MFA"
    description: ClassVar[str] = (
        "No CloudWatch alarm fires on console sign-ins without MFA recorded by CloudTrail."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudwatch_log_metric_filter_sign_in_without_mfa",)
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "console sign-ins without MFA"
    required: ClassVar[tuple[str, ...]] = (
        '$.eventName = "ConsoleLogin"',
        '$.additionalEventData.MFAUsed != "Yes"',
    )
