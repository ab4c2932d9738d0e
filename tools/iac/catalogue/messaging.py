"""Messaging and events: SQS queue with a dead-letter queue, SNS topic, scheduled Lambda."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator

from tools.iac import yamlout
from tools.iac.catalogue.aws import (
    cfn_document,
    cfn_output,
    cfn_tags,
    output,
    policy_statement,
    resource,
    tf_document,
    tf_header,
    variable,
)
from tools.iac.catalogue.base import NAME_PATTERN, AwsParams, Template, aws_common, first_name, pick
from tools.iac.catalogue.lambdas import DEFAULT_RUNTIME, Runtime, lambda_cfn, lambda_tf, runtime_from_text
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, interp, ref
from tools.iac.model import IacFormat

QUEUE_NAME = r"^[A-Za-z0-9_-]{1,70}$"
_DOW = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
CRON_FIELD = re.compile(r"^[\d*/,?A-Za-z-]+$")


def check_cron(expr: str) -> str:
    fields = expr.split()
    if len(fields) != 5 or not all(CRON_FIELD.match(f) for f in fields):
        raise ValueError(f"{expr!r} is not a 5-field cron expression (minute hour day month weekday)")
    return " ".join(fields)


def _dow_names(field: str) -> str:
    def name(token: str) -> str:
        return _DOW[int(token) % 7] if token.isdigit() else token.upper()

    return re.sub(r"\d+", lambda m: name(m.group(0)), field)


def aws_schedule(expr: str) -> str:
    """A standard 5-field cron as an EventBridge cron() (6 fields, '?' for one day field, SUN-SAT)."""
    minute, hour, dom, month, dow = check_cron(expr).split()
    minute, hour = (f.replace("*/", "0/") for f in (minute, hour))
    if dow in ("*", "?"):
        dow = "?"
        dom = dom.replace("*/", "1/")
    elif dom in ("*", "?"):
        dom = "?"
        dow = _dow_names(dow)
    else:
        raise ValueError("EventBridge schedules can't restrict both the day of month and the day of week")
    return f"cron({minute} {hour} {dom} {month} {dow} *)"


# -- SQS with DLQ ----------------------------------------------------------------------------------
class SqsParams(AwsParams):
    queue_name: str = Field(default="jobs", pattern=QUEUE_NAME)
    fifo: bool = False
    max_receive_count: int = Field(default=5, ge=1, le=1000)
    visibility_timeout_s: int = Field(default=30, ge=0, le=43200)
    retention_days: int = Field(default=4, ge=1, le=14)


def _seconds(f: Features, *cues: str) -> int | None:
    for cue in cues:
        m = re.search(
            cue + r"\D{0,15}?(\d{1,5})\s*(s|sec|secs|seconds?|m|mins?|minutes?|h|hours?)?\b", f.lower
        )
        if m:
            unit = (m.group(2) or "s")[0]
            return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[unit]
    return None


def _sqs_extract(f: Features) -> dict[str, Any]:
    m = re.search(
        r"(?:max(?:imum)?\s+receive(?:\s+count)?|receive\s+count|max(?:imum)?\s+(?:retries|attempts))\D{0,12}?(\d{1,4})"
        r"|(\d{1,4})\s+(?:retries|attempts|tries|receives|times)\b",
        f.lower,
    )
    name = first_name(f, "queue")
    if name and name.endswith(".fifo"):
        name = name[: -len(".fifo")]
    return pick(
        queue_name=name,
        fifo=True if f.has(r"\bfifo\b") else None,
        max_receive_count=int(m.group(1) or m.group(2)) if m else None,
        visibility_timeout_s=_seconds(f, r"visibility(?:\s+timeout)?"),
        retention_days=f.days if f.days and f.days <= 14 else None,
        **aws_common(f),
    )


def _sqs_render(p: SqsParams, fmt: IacFormat) -> str:
    suffix = ".fifo" if p.fifo else ""
    retention = p.retention_days * 86400
    if fmt == "terraform":
        fifo: list[Any] = [("fifo_queue", True), ("content_based_deduplication", True)] if p.fifo else []
        blocks = tf_header(p) + [
            variable("queue_name", "string", p.queue_name, "Name of the queue (the DLQ gets a -dlq suffix)."),
            resource(
                "aws_sqs_queue",
                "dlq",
                ("name", interp(f"${{var.queue_name}}-dlq{suffix}")),
                *fifo,
                ("message_retention_seconds", 14 * 86400),
                ("sqs_managed_sse_enabled", True),
            ),
            resource(
                "aws_sqs_queue",
                "this",
                ("name", interp(f"${{var.queue_name}}{suffix}")),
                *fifo,
                ("visibility_timeout_seconds", p.visibility_timeout_s),
                ("message_retention_seconds", retention),
                ("receive_wait_time_seconds", 20),
                ("sqs_managed_sse_enabled", True),
                (
                    "redrive_policy",
                    Call(
                        "jsonencode",
                        {
                            "deadLetterTargetArn": ref("aws_sqs_queue.dlq.arn"),
                            "maxReceiveCount": p.max_receive_count,
                        },
                    ),
                ),
            ),
            resource(
                "aws_sqs_queue_redrive_allow_policy",
                "dlq",
                ("queue_url", ref("aws_sqs_queue.dlq.id")),
                (
                    "redrive_allow_policy",
                    Call(
                        "jsonencode",
                        {"redrivePermission": "byQueue", "sourceQueueArns": [ref("aws_sqs_queue.this.arn")]},
                    ),
                ),
            ),
            resource(
                "aws_cloudwatch_metric_alarm",
                "dlq_not_empty",
                ("alarm_name", interp("${var.queue_name}-dlq-not-empty")),
                ("alarm_description", "Messages failed processing and landed in the dead-letter queue."),
                ("namespace", "AWS/SQS"),
                ("metric_name", "ApproximateNumberOfMessagesVisible"),
                ("dimensions", {"QueueName": ref("aws_sqs_queue.dlq.name")}),
                ("statistic", "Maximum"),
                ("period", 300),
                ("evaluation_periods", 1),
                ("threshold", 0),
                ("comparison_operator", "GreaterThanThreshold"),
                ("treat_missing_data", "notBreaching"),
            ),
            output("queue_url", "aws_sqs_queue.this.url", "URL of the queue."),
            output("queue_arn", "aws_sqs_queue.this.arn", "ARN of the queue."),
            output("dlq_arn", "aws_sqs_queue.dlq.arn", "ARN of the dead-letter queue."),
        ]
        return tf_document(f"SQS queue {p.queue_name} with a dead-letter queue", blocks)

    fifo_props: dict[str, Any] = {"FifoQueue": True, "ContentBasedDeduplication": True} if p.fifo else {}
    resources = {
        "DeadLetterQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": yamlout.sub(f"${{QueueName}}-dlq{suffix}"),
                **fifo_props,
                "MessageRetentionPeriod": 14 * 86400,
                "SqsManagedSseEnabled": True,
                # Built from the name rather than GetAtt: the queue already refers to this one.
                "RedriveAllowPolicy": {
                    "redrivePermission": "byQueue",
                    "sourceQueueArns": [
                        yamlout.sub(
                            f"arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:${{AWS::AccountId}}:${{QueueName}}{suffix}"
                        )
                    ],
                },
                "Tags": cfn_tags(yamlout.sub(f"${{QueueName}}-dlq{suffix}")),
            },
        },
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": yamlout.sub(f"${{QueueName}}{suffix}"),
                **fifo_props,
                "VisibilityTimeout": p.visibility_timeout_s,
                "MessageRetentionPeriod": retention,
                "ReceiveMessageWaitTimeSeconds": 20,
                "SqsManagedSseEnabled": True,
                "RedrivePolicy": {
                    "deadLetterTargetArn": yamlout.get_att("DeadLetterQueue", "Arn"),
                    "maxReceiveCount": p.max_receive_count,
                },
                "Tags": cfn_tags(yamlout.sub(f"${{QueueName}}{suffix}")),
            },
        },
        "DeadLetterQueueAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": yamlout.sub("${QueueName}-dlq-not-empty"),
                "AlarmDescription": "Messages failed processing and landed in the dead-letter queue.",
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [
                    {"Name": "QueueName", "Value": yamlout.get_att("DeadLetterQueue", "QueueName")}
                ],
                "Statistic": "Maximum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 0,
                "ComparisonOperator": "GreaterThanThreshold",
                "TreatMissingData": "notBreaching",
            },
        },
    }
    return cfn_document(
        p,
        f"SQS queue {p.queue_name} with a dead-letter queue.",
        {"QueueName": {"Type": "String", "Default": p.queue_name, "AllowedPattern": QUEUE_NAME}},
        resources,
        {
            "QueueUrl": cfn_output(yamlout.ref("Queue"), "URL of the queue."),
            "QueueArn": cfn_output(yamlout.get_att("Queue", "Arn"), "ARN of the queue."),
            "DeadLetterQueueArn": cfn_output(
                yamlout.get_att("DeadLetterQueue", "Arn"), "ARN of the dead-letter queue."
            ),
        },
    )


SQS_QUEUE = Template(
    id="sqs_with_dlq",
    title="SQS queue with a dead-letter queue",
    formats=("terraform", "cloudformation"),
    params=SqsParams,
    patterns=((r"\bsqs\b", 1.0), (r"\bqueues?\b", 0.7), (r"\bdead[\s-]?letter|\bdlq\b", 0.6)),
    extract=_sqs_extract,
    render=_sqs_render,
    design=(
        "Messages that fail max_receive_count times move to a dead-letter queue kept 14 days, "
        "and an alarm fires as soon as one lands there.",
        "Server-side encryption with SQS-managed keys; long polling (20 s) to cut empty receives.",
        "The DLQ only accepts messages redriven from this queue (redrive allow policy byQueue).",
    ),
    examples=("CloudFormation for an SQS queue with a dead-letter queue",),
    variants=(
        {
            "queue_name": "orders",
            "fifo": True,
            "max_receive_count": 3,
            "visibility_timeout_s": 120,
            "retention_days": 7,
        },
    ),
)


# -- SNS -------------------------------------------------------------------------------------------
class SnsParams(AwsParams):
    topic_name: str = Field(default="alerts", pattern=r"^[A-Za-z0-9_-]{1,256}$")
    email: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def _sns_extract(f: Features) -> dict[str, Any]:
    return pick(topic_name=first_name(f, "topic"), email=f.email, **aws_common(f))


def _sns_policy_statement_cfn() -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sns:Publish",
        "Resource": yamlout.ref("Topic"),
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _sns_render(p: SnsParams, fmt: IacFormat) -> str:
    if fmt == "terraform":
        from tools.iac.catalogue.aws import data

        blocks = tf_header(p) + [
            resource(
                "aws_sns_topic",
                "this",
                ("name", p.topic_name),
                ("kms_master_key_id", "alias/aws/sns"),
            ),
            data(
                "aws_iam_policy_document",
                "topic",
                policy_statement(
                    "DenyInsecureTransport",
                    ["sns:Publish"],
                    [ref("aws_sns_topic.this.arn")],
                    effect="Deny",
                    principals=("*", ["*"]),
                    conditions=(("Bool", "aws:SecureTransport", ["false"]),),
                ),
            ),
            resource(
                "aws_sns_topic_policy",
                "this",
                ("arn", ref("aws_sns_topic.this.arn")),
                ("policy", ref("data.aws_iam_policy_document.topic.json")),
            ),
        ]
        if p.email:
            blocks.append(
                resource(
                    "aws_sns_topic_subscription",
                    "email",
                    ("topic_arn", ref("aws_sns_topic.this.arn")),
                    ("protocol", "email"),
                    ("endpoint", str(p.email)),
                )
            )
        blocks.append(output("topic_arn", "aws_sns_topic.this.arn", "ARN of the topic."))
        return tf_document(f"SNS topic {p.topic_name}", blocks)
    topic: dict[str, Any] = {"TopicName": p.topic_name, "KmsMasterKeyId": "alias/aws/sns"}
    if p.email:
        topic["Subscription"] = [{"Protocol": "email", "Endpoint": str(p.email)}]
    topic["Tags"] = cfn_tags(p.topic_name)
    return cfn_document(
        p,
        f"SNS topic {p.topic_name}.",
        {},
        {
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": topic},
            "TopicPolicy": {
                "Type": "AWS::SNS::TopicPolicy",
                "Properties": {
                    "Topics": [yamlout.ref("Topic")],
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [_sns_policy_statement_cfn()]},
                },
            },
        },
        {"TopicArn": cfn_output(yamlout.ref("Topic"), "ARN of the topic.")},
    )


SNS_TOPIC = Template(
    id="sns_topic",
    title="SNS topic (encrypted, TLS only, optional e-mail subscription)",
    formats=("terraform", "cloudformation"),
    params=SnsParams,
    patterns=((r"\bsns\b", 1.0), (r"\b(?:topic|pub/?sub|notifications?)\b", 0.6)),
    extract=_sns_extract,
    render=_sns_render,
    design=(
        "Encrypted with the AWS-managed SNS key; a topic policy refuses publishing without TLS.",
        "An e-mail subscription is created when you give an address (AWS sends a confirmation mail).",
    ),
    examples=("an SNS topic named alerts with an email subscription to ops@example.com",),
    variants=({"topic_name": "deploys", "email": "ops@example.com"},),
)


# -- Scheduled Lambda ------------------------------------------------------------------------------
class ScheduleParams(AwsParams):
    function_name: str = Field(default="scheduled-job", pattern=NAME_PATTERN)
    schedule: str = "0 2 * * *"
    runtime: Runtime = DEFAULT_RUNTIME
    memory_mb: int = Field(default=256, ge=128, le=10240)
    timeout_s: int = Field(default=60, ge=1, le=900)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: str) -> str:
        aws_schedule(v)
        return check_cron(v)


def _schedule_extract(f: Features) -> dict[str, Any]:
    return pick(
        function_name=first_name(f, "function", "lambda", "job"),
        schedule=f.schedule,
        runtime=runtime_from_text(f.lower),
        memory_mb=f.memory_mb,
        timeout_s=_seconds(f, r"timeout"),
        **aws_common(f),
    )


def _schedule_render(p: ScheduleParams, fmt: IacFormat) -> str:
    expression = aws_schedule(p.schedule)
    if fmt == "terraform":
        blocks = tf_header(p, {"archive": "~> 2.4"}) + [
            variable("function_name", "string", p.function_name, "Name of the function."),
            variable("schedule", "string", expression, "EventBridge schedule (cron in UTC)."),
            *lambda_tf(p.runtime, p.memory_mb, p.timeout_s, []),
            resource(
                "aws_cloudwatch_event_rule",
                "schedule",
                ("name", interp("${var.function_name}-schedule")),
                ("description", f"Runs {p.function_name} on '{p.schedule}' (UTC)"),
                ("schedule_expression", ref("var.schedule")),
            ),
            resource(
                "aws_cloudwatch_event_target",
                "function",
                ("rule", ref("aws_cloudwatch_event_rule.schedule.name")),
                ("arn", ref("aws_lambda_function.this.arn")),
                Block(
                    "retry_policy",
                    body=[("maximum_retry_attempts", 2), ("maximum_event_age_in_seconds", 3600)],
                ),
            ),
            resource(
                "aws_lambda_permission",
                "events",
                ("statement_id", "AllowEventBridge"),
                ("action", "lambda:InvokeFunction"),
                ("function_name", ref("aws_lambda_function.this.function_name")),
                ("principal", "events.amazonaws.com"),
                ("source_arn", ref("aws_cloudwatch_event_rule.schedule.arn")),
            ),
            output("function_arn", "aws_lambda_function.this.arn", "ARN of the function."),
        ]
        return tf_document(f"Lambda {p.function_name} run on a schedule ({p.schedule} UTC)", blocks)
    resources = lambda_cfn(p.runtime, p.memory_mb, p.timeout_s, [])
    resources["ScheduleRule"] = {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "Description": f"Runs the function on '{p.schedule}' (UTC)",
            "ScheduleExpression": yamlout.ref("Schedule"),
            "State": "ENABLED",
            "Targets": [
                {
                    "Id": "function",
                    "Arn": yamlout.get_att("Function", "Arn"),
                    "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
                }
            ],
        },
    }
    resources["SchedulePermission"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": yamlout.ref("Function"),
            "Principal": "events.amazonaws.com",
            "SourceArn": yamlout.get_att("ScheduleRule", "Arn"),
        },
    }
    return cfn_document(
        p,
        f"Lambda function run on a schedule ({p.schedule} UTC).",
        {
            "FunctionName": {"Type": "String", "Default": p.function_name, "AllowedPattern": NAME_PATTERN},
            "Schedule": {
                "Type": "String",
                "Default": expression,
                "Description": "EventBridge schedule (UTC).",
            },
        },
        resources,
        {"FunctionArn": cfn_output(yamlout.get_att("Function", "Arn"), "ARN of the function.")},
    )


SCHEDULED_LAMBDA = Template(
    id="scheduled_lambda",
    title="Lambda function on a schedule (EventBridge)",
    formats=("terraform", "cloudformation"),
    params=ScheduleParams,
    patterns=(
        (r"\b(?:lambda|function|serverless)\b", 0.5),
        (
            r"\b(?:schedule[ds]?|cron|every\s+\d*\s*(?:minutes?|hours?|day|night|week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|daily|nightly|hourly|weekly)\b",
            0.6,
        ),
        (r"\beventbridge\b|\bcloudwatch\s+events?\b", 0.5),
    ),
    extract=_schedule_extract,
    render=_schedule_render,
    design=(
        "EventBridge runs the function on the schedule (UTC); failed invocations are retried twice.",
        "The function's role can only write its own log group (30-day retention); arm64 for lower cost.",
        "A customer-managed key encrypts the logs; X-Ray tracing is on.",
        "The handler is a placeholder that logs its event: replace the inline code with yours.",
    ),
    examples=("a Lambda that runs every day at 2am",),
    variants=(
        {"function_name": "report", "schedule": "*/15 * * * *", "runtime": "nodejs22.x", "memory_mb": 512},
        {"schedule": "30 6 * * 1-5", "timeout_s": 300},
    ),
)
