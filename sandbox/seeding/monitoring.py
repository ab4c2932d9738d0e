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


# The CIS section 4 patterns of the changes Acme's production account alarms on (besides the ones above).
VPC_CHANGES_PATTERN = (
    "{($.eventName=CreateVpc)||($.eventName=DeleteVpc)||($.eventName=ModifyVpcAttribute)||"
    "($.eventName=AcceptVpcPeeringConnection)||($.eventName=CreateVpcPeeringConnection)||"
    "($.eventName=DeleteVpcPeeringConnection)||($.eventName=RejectVpcPeeringConnection)||"
    "($.eventName=AttachClassicLinkVpc)||($.eventName=DetachClassicLinkVpc)||"
    "($.eventName=DisableVpcClassicLink)||($.eventName=EnableVpcClassicLink)}"
)
ROUTE_TABLE_PATTERN = (
    "{($.eventSource=ec2.amazonaws.com)&&(($.eventName=CreateRoute)||($.eventName=CreateRouteTable)||"
    "($.eventName=ReplaceRoute)||($.eventName=ReplaceRouteTableAssociation)||"
    "($.eventName=DeleteRouteTable)||($.eventName=DeleteRoute)||($.eventName=DisassociateRouteTable))}"
)
GATEWAY_PATTERN = (
    "{($.eventName=CreateCustomerGateway)||($.eventName=DeleteCustomerGateway)||"
    "($.eventName=AttachInternetGateway)||($.eventName=CreateInternetGateway)||"
    "($.eventName=DeleteInternetGateway)||($.eventName=DetachInternetGateway)}"
)
NACL_PATTERN = (
    "{($.eventName=CreateNetworkAcl)||($.eventName=CreateNetworkAclEntry)||"
    "($.eventName=DeleteNetworkAcl)||($.eventName=DeleteNetworkAclEntry)||"
    "($.eventName=ReplaceNetworkAclEntry)||($.eventName=ReplaceNetworkAclAssociation)}"
)
KMS_DELETION_PATTERN = (
    "{($.eventSource=kms.amazonaws.com)&&(($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}"
)


def guardduty(a: SeedAccount, region: str, *, s3_protection: bool = True) -> str:
    """A GuardDuty detector, watching S3 data events unless told otherwise; returns its id."""
    return str(
        a.client("guardduty", region).create_detector(
            Enable=True, DataSources={"S3Logs": {"Enable": s3_protection}}
        )["DetectorId"]
    )


def security_hub(a: SeedAccount, region: str) -> None:
    a.client("securityhub", region).enable_security_hub(EnableDefaultStandards=True)
