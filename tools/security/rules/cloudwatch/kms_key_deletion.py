"""No alarm on disabling or scheduled deletion of KMS keys.

No CloudWatch alarm fires on disabling or scheduled deletion of KMS keys recorded by CloudTrail.
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class KmsKeyDeletionAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-kms-key-deletion"
    title: ClassVar[str] = "No alarm on disabling or scheduled deletion of KMS keys"
    description: ClassVar[str] = (
        "No CloudWatch alarm fires on disabling or scheduled deletion of KMS keys recorded by CloudTrail."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.7",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "cloudwatch_log_metric_filter_disable_or_scheduled_deletion_of_kms_cmk",
    )
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "disabling or scheduled deletion of KMS keys"
    required: ClassVar[tuple[str, ...]] = ("kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion")
