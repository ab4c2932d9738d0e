"""Monitoring: CloudWatch alarm with an SNS notification, CloudWatch log group."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.catalogue.aws import (
    cfn_document,
    cfn_output,
    cfn_tags,
    cmk_cfn,
    cmk_tf,
    output,
    resource,
    tf_document,
    tf_header,
    variable,
)
from tools.iac.catalogue.base import AwsParams, Template, aws_common, first_name, pick
from tools.iac.features import STOP_WORDS, Features
from tools.iac.hcl import ref
from tools.iac.model import IacFormat

LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimension: str
    statistic: str
    unit_label: str
    default_threshold: float
    resource_label: str
    example_id: str


METRICS: dict[str, Metric] = {
    "ec2_cpu": Metric(
        "AWS/EC2", "CPUUtilization", "InstanceId", "Average", "%", 80, "EC2 instance", "i-0123456789abcdef0"
    ),
    "rds_cpu": Metric(
        "AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "Average", "%", 80, "RDS instance", "app-db"
    ),
    "rds_storage": Metric(
        "AWS/RDS",
        "FreeStorageSpace",
        "DBInstanceIdentifier",
        "Minimum",
        "bytes",
        5e9,
        "RDS instance",
        "app-db",
    ),
    "lambda_errors": Metric(
        "AWS/Lambda", "Errors", "FunctionName", "Sum", "errors", 1, "Lambda function", "my-function"
    ),
    "sqs_age": Metric(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        "QueueName",
        "Maximum",
        "seconds",
        300,
        "SQS queue",
        "jobs",
    ),
    "alb_5xx": Metric(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        "LoadBalancer",
        "Sum",
        "responses",
        10,
        "load balancer",
        "app/web/0123456789abcdef",
    ),
}


class AlarmParams(AwsParams):
    metric: Literal["ec2_cpu", "rds_cpu", "rds_storage", "lambda_errors", "sqs_age", "alb_5xx"] = "ec2_cpu"
    target: str | None = Field(default=None, pattern=r"^[A-Za-z0-9/._:-]{1,255}$")
    threshold: float | None = Field(default=None, ge=0)
    evaluation_periods: int = Field(default=3, ge=1, le=100)
    period_s: Literal[60, 300, 900, 3600] = 300
    email: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
    topic_name: str = Field(default="alarms", pattern=r"^[A-Za-z0-9_-]{1,256}$")

    @property
    def spec(self) -> Metric:
        return METRICS[self.metric]

    @property
    def limit(self) -> float:
        return self.threshold if self.threshold is not None else self.spec.default_threshold

    @property
    def below(self) -> bool:
        return self.metric == "rds_storage"


def _alarm_extract(f: Features) -> dict[str, Any]:
    metric = None
    if f.has(r"\b(?:free\s+)?(?:storage|disk\s+space)\b") and f.has(r"\b(?:rds|database|db)\b"):
        metric = "rds_storage"
    elif f.has(r"\b(?:rds|database|db)\b"):
        metric = "rds_cpu"
    elif f.has(r"\b(?:lambda|function)\b"):
        metric = "lambda_errors"
    elif f.has(r"\b(?:sqs|queue)\b"):
        metric = "sqs_age"
    elif f.has(r"\b(?:5xx|load\s+balancer|alb)\b"):
        metric = "alb_5xx"
    elif f.has(r"\b(?:cpu|ec2|instance)\b"):
        metric = "ec2_cpu"
    target = None
    m = re.search(r"\b(i-[0-9a-f]{8,17})\b", f.lower)
    if m:
        target = m.group(1)
    elif metric in ("lambda_errors", "sqs_age", "rds_cpu", "rds_storage"):
        noun = {"lambda_errors": "function", "sqs_age": "queue"}.get(metric or "", "database")
        target = f.name_after(noun, "instance") if not f.names else f.names[-1]
        # "the orders queue": the name before the noun.
        before = re.search(rf"\bthe\s+([a-z0-9][a-z0-9_-]*)\s+{noun}\b", f.lower)
        if target is None and before and before.group(1) not in STOP_WORDS:
            target = before.group(1)
    threshold: float | None = float(f.percent) if f.percent is not None else None
    age = re.search(
        r"\b(?:older|longer|more)\s+than\s+(\d{1,4})\s*(seconds?|secs?|s|minutes?|mins?|hours?|h)\b", f.lower
    )
    if threshold is None and metric == "sqs_age" and age:
        # The age metric is in seconds.
        unit = age.group(2)
        scale = 3600 if unit.startswith("h") else 60 if unit.startswith("m") else 1
        threshold = float(int(age.group(1)) * scale)
    if threshold is None:
        m = re.search(r"\b(?:above|over|exceeds?|greater\s+than|more\s+than|>)\s*(\d+(?:\.\d+)?)", f.lower)
        if m:
            threshold = float(m.group(1))
    m = re.search(r"\bfor\s+(\d{1,3})\s+(?:consecutive\s+)?(?:periods|datapoints)\b", f.lower)
    return pick(
        metric=metric,
        target=target,
        threshold=threshold,
        evaluation_periods=int(m.group(1)) if m else None,
        email=f.email,
        **aws_common(f),
    )


def _describe(p: AlarmParams) -> str:
    sign = "<" if p.below else ">"
    window = f"{p.evaluation_periods} x {p.period_s // 60} min"
    return f"{p.spec.name} {sign} {p.limit:g} {p.spec.unit_label} for {window}"


def _alarm_render(p: AlarmParams, fmt: IacFormat) -> str:
    spec = p.spec
    target = p.target or spec.example_id
    comparison = "LessThanThreshold" if p.below else "GreaterThanThreshold"
    alarm_name = f"{re.sub(r'[^A-Za-z0-9-]+', '-', target).strip('-')}-{spec.name.lower()}"
    if fmt == "terraform":
        blocks = tf_header(p) + [
            variable("target", "string", target, f"The {spec.resource_label} to watch ({spec.dimension})."),
            resource(
                "aws_sns_topic", "alarms", ("name", p.topic_name), ("kms_master_key_id", "alias/aws/sns")
            ),
        ]
        if p.email:
            blocks.append(
                resource(
                    "aws_sns_topic_subscription",
                    "email",
                    ("topic_arn", ref("aws_sns_topic.alarms.arn")),
                    ("protocol", "email"),
                    ("endpoint", p.email),
                )
            )
        blocks += [
            resource(
                "aws_cloudwatch_metric_alarm",
                "this",
                ("alarm_name", alarm_name),
                ("alarm_description", _describe(p)),
                ("namespace", spec.namespace),
                ("metric_name", spec.name),
                ("dimensions", {spec.dimension: ref("var.target")}),
                ("statistic", spec.statistic),
                ("period", p.period_s),
                ("evaluation_periods", p.evaluation_periods),
                ("threshold", p.limit),
                ("comparison_operator", comparison),
                ("treat_missing_data", "missing"),
                ("alarm_actions", [ref("aws_sns_topic.alarms.arn")]),
                ("ok_actions", [ref("aws_sns_topic.alarms.arn")]),
            ),
            output("alarm_arn", "aws_cloudwatch_metric_alarm.this.arn", "ARN of the alarm."),
            output("topic_arn", "aws_sns_topic.alarms.arn", "Topic the alarm notifies."),
        ]
        return tf_document(f"CloudWatch alarm: {_describe(p)}", blocks)
    topic: dict[str, Any] = {
        "TopicName": p.topic_name,
        "KmsMasterKeyId": "alias/aws/sns",
        "Tags": cfn_tags(p.topic_name),
    }
    if p.email:
        topic["Subscription"] = [{"Protocol": "email", "Endpoint": p.email}]
    return cfn_document(
        p,
        f"CloudWatch alarm: {_describe(p)}.",
        {
            "Target": {
                "Type": "String",
                "Default": target,
                "Description": f"The {spec.resource_label} to watch.",
            }
        },
        {
            "AlarmTopic": {"Type": "AWS::SNS::Topic", "Properties": topic},
            "Alarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmName": alarm_name,
                    "AlarmDescription": _describe(p),
                    "Namespace": spec.namespace,
                    "MetricName": spec.name,
                    "Dimensions": [{"Name": spec.dimension, "Value": yamlout.ref("Target")}],
                    "Statistic": spec.statistic,
                    "Period": p.period_s,
                    "EvaluationPeriods": p.evaluation_periods,
                    "Threshold": p.limit,
                    "ComparisonOperator": comparison,
                    "TreatMissingData": "missing",
                    "AlarmActions": [yamlout.ref("AlarmTopic")],
                    "OKActions": [yamlout.ref("AlarmTopic")],
                },
            },
        },
        {"AlarmArn": cfn_output(yamlout.get_att("Alarm", "Arn"), "ARN of the alarm.")},
    )


CLOUDWATCH_ALARM = Template(
    id="cloudwatch_alarm",
    title="CloudWatch alarm notifying an SNS topic",
    formats=("terraform", "cloudformation"),
    params=AlarmParams,
    patterns=(
        (r"\balarms?\b", 1.0),
        (r"\b(?:alert|notify|page)\b", 0.4),
        (r"\bcloudwatch\b", 0.3),
        (r"\bthreshold\b", 0.3),
    ),
    extract=_alarm_extract,
    render=_alarm_render,
    design=(
        "Alarms after several consecutive breaching periods "
        "(not on one spike) and notifies again when it clears.",
        "Notifications go to an encrypted SNS topic; an e-mail "
        "subscription is added when you give an address.",
    ),
    examples=(
        "a CloudWatch alarm when CPU of i-0abc12345678 is above 80% for 3 periods, email ops@example.com",
    ),
    variants=(
        {
            "metric": "lambda_errors",
            "target": "checkout",
            "threshold": 5,
            "evaluation_periods": 1,
            "period_s": 60,
            "email": "oncall@example.com",
        },
        {"metric": "rds_storage", "target": "orders-db"},
    ),
)


# -- Log group -------------------------------------------------------------------------------------
class LogGroupParams(AwsParams):
    name: str = Field(default="/app/service", pattern=r"^[A-Za-z0-9_/.#-]{1,512}$")
    retention_days: int = 30

    def model_post_init(self, __context: Any) -> None:
        if self.retention_days not in LOG_RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
            raise ValueError(f"retention_days must be one of {allowed}")


def _log_extract(f: Features) -> dict[str, Any]:
    m = re.search(r"(/[A-Za-z0-9_/.#-]+)", f.text)
    days = f.days
    if days is not None and days not in LOG_RETENTION_DAYS:
        days = min(LOG_RETENTION_DAYS, key=lambda d: abs(d - days))  # type: ignore[operator]
    if days is None and (m2 := re.search(r"\b(\d{1,2})\s+(?:years?)\b", f.lower)) is not None:
        days = min(LOG_RETENTION_DAYS, key=lambda d: abs(d - int(m2.group(1)) * 365))
    return pick(
        name=m.group(1) if m else (first_name(f, "group") if f.names else None),
        retention_days=days,
        **aws_common(f),
    )


def _log_render(p: LogGroupParams, fmt: IacFormat) -> str:
    if fmt == "terraform":
        blocks = tf_header(p) + [
            *cmk_tf("logs", f"Encrypts the log group {p.name}", logs=True),
            resource(
                "aws_cloudwatch_log_group",
                "this",
                ("name", p.name),
                ("retention_in_days", p.retention_days),
                ("kms_key_id", ref("aws_kms_key.logs.arn")),
            ),
            output("log_group_arn", "aws_cloudwatch_log_group.this.arn", "ARN of the log group."),
        ]
        return tf_document(f"CloudWatch log group {p.name}", blocks)
    return cfn_document(
        p,
        f"CloudWatch log group {p.name}.",
        {},
        {
            "LogsKey": cmk_cfn(f"Encrypts the log group {p.name}", logs=True),
            "LogGroup": {
                "Type": "AWS::Logs::LogGroup",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "LogGroupName": p.name,
                    "RetentionInDays": p.retention_days,
                    "KmsKeyId": yamlout.get_att("LogsKey", "Arn"),
                    "Tags": cfn_tags(p.name),
                },
            }
        },
        {"LogGroupArn": cfn_output(yamlout.get_att("LogGroup", "Arn"), "ARN of the log group.")},
    )


LOG_GROUP = Template(
    id="cloudwatch_log_group",
    title="CloudWatch log group with retention",
    formats=("terraform", "cloudformation"),
    params=LogGroupParams,
    patterns=((r"\blog\s*groups?\b", 1.0), (r"\b(?:cloudwatch\s+)?logs?\b", 0.4), (r"\bretention\b", 0.4)),
    extract=_log_extract,
    render=_log_render,
    design=(
        "A retention period, so logs don't accumulate (and cost) forever.",
        "Encrypted with a customer-managed KMS key (yearly rotation) that only this account's "
        "CloudWatch Logs may use.",
        "CloudFormation keeps the log group when the stack is deleted.",
    ),
    examples=("a log group /payments/api with 90 day retention",),
    variants=({"name": "/payments/api", "retention_days": 365},),
)
