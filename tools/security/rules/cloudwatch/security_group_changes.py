"""CloudWatch alarm for security group changes (CIS 4.10).

Reads the normalised `cloudwatch_account` attributes (see alarm.py).
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class SecurityGroupChangesAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-security-group-changes"
    title: ClassVar[str] = "No alarm on security group changes"
    description: ClassVar[str] = "No CloudWatch alarm fires on security group changes recorded by CloudTrail."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.10",),
        SOC2: ("CC5.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudwatch_log_metric_filter_security_group_changes",)
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "security group changes"
    required: ClassVar[tuple[str, ...]] = (
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress",
        "CreateSecurityGroup",
        "DeleteSecurityGroup",
    )
