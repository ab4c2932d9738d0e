"""Monitoring building blocks: AWS Config recorders, CloudTrail trails, and the CloudWatch Logs
metric filters and alarms of the CIS benchmark."""

from __future__ import annotations

from typing import Any

from sandbox.seeding.account import SeedAccount

# CloudWatch Logs filter patterns in the CIS benchmark's form.
ROOT_USAGE_PATTERN = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
    '$.eventType != "AwsServiceEvent" }'
)
UNAUTHORIZED_PATTERN = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
NO_MFA_PATTERN = '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'
IAM_POLICY_PATTERN = (
    "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||"
    "($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||"
    "($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||"
    "($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
    "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||"
    "($.eventName=DetachGroupPolicy)}"
)


def config_recorder(a: SeedAccount, region: str, bucket: str) -> None:
    """A running AWS Config recorder delivering to `bucket`; global resource types are
    recorded in the primary region only, as AWS recommends."""
    config = a.client("config", region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{a.id}:role/aws-service-role/config.amazonaws.com/"
            "AWSServiceRoleForConfig",
            "recordingGroup": {
                "allSupported": True,
                "includeGlobalResourceTypes": region == a.primary,
            },
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def trail(a: SeedAccount, region: str, name: str, bucket: str, **settings: Any) -> str:
    """A logging CloudTrail trail delivering to `bucket`; `settings` go to create_trail."""
    cloudtrail = a.client("cloudtrail", region)
    cloudtrail.create_trail(Name=name, S3BucketName=bucket, **settings)
    cloudtrail.start_logging(Name=name)
    return a.add("cloudtrail_trail", name, name, region)


def cis_metric(
    a: SeedAccount, region: str, log_group: str, metric: str, pattern: str, alarm_topic: str | None
) -> None:
    """A CIS metric filter on the trail's log group and, with a topic, the alarm on it."""
    a.client("logs", region).put_metric_filter(
        logGroupName=log_group,
        filterName=metric,
        filterPattern=pattern,
        metricTransformations=[{"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}],
    )
    if alarm_topic:
        a.client("cloudwatch", region).put_metric_alarm(
            AlarmName=f"cis-{metric}",
            MetricName=metric,
            Namespace="CISBenchmark",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[alarm_topic],
        )
