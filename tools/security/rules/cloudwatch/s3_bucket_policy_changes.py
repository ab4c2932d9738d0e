"""No alarm on S3 bucket policy changes.

No CloudWatch alarm fires on S3 bucket policy changes recorded by CloudTrail.
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class S3BucketPolicyChangesAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-s3-bucket-policy-changes"
    title: ClassVar[str] = "No alarm on S3 bucket policy changes"
    description: ClassVar[str] = (
        "No CloudWatch alarm fires on S3 bucket policy changes recorded by CloudTrail."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.8",),
        SOC2: ("CC5.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudwatch_log_metric_filter_for_s3_bucket_policy_changes",)
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "S3 bucket policy changes"
    required: ClassVar[tuple[str, ...]] = ("PutBucketAcl", "PutBucketPolicy", "DeleteBucketPolicy")
