"""CloudWatch alarm for IAM policy changes (CIS 4.4).

Reads the normalised `cloudwatch_account` attributes (see alarm.py).
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class IamPolicyChangesAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-iam-policy-changes"
    title: ClassVar[str] = "No alarm on IAM policy changes"
    description: ClassVar[str] = "No CloudWatch alarm fires on IAM policy changes recorded by CloudTrail."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.4",),
        SOC2: ("CC5.2", "PI1.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudwatch_log_metric_filter_policy_changes",)
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "IAM policy changes"
    required: ClassVar[tuple[str, ...]] = (
        "DeleteGroupPolicy",
        "DeleteRolePolicy",
        "DeleteUserPolicy",
        "PutGroupPolicy",
        "PutRolePolicy",
        "PutUserPolicy",
        "CreatePolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "AttachUserPolicy",
        "DetachUserPolicy",
        "AttachGroupPolicy",
        "DetachGroupPolicy",
    )
