"""EventBridge rule: a schedule ("every day at 2am" -> cron(0 2 * * ? *)) or an event pattern
(EC2 state changes, objects created in a bucket, GuardDuty findings...) delivered to a Lambda, a
queue, a topic or a state machine, each with exactly the permission it needs: an invoke
permission, a queue or topic policy naming this rule, or a role that may start only that state
machine; retries and maximum event age set on every target."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Stmt, Unit, cfn, named, pascal, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, ref

_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# Words naming an AWS event source -> (source, detail-type).
EVENT_SOURCES: tuple[tuple[str, str, str], ...] = (
    (r"\bec2\b.{0,30}\bstate|\binstance\s+state", "aws.ec2", "EC2 Instance State-change Notification"),
    (
        r"\bobjects?\b.{0,40}\b(?:created|lands?|arrives?|uploaded|put)\b|\buploads?\b|\bobject\s+created",
        "aws.s3",
        "Object Created",
    ),
    (r"\bguardduty\b", "aws.guardduty", "GuardDuty Finding"),
    (r"\bsecurity\s*hub\b", "aws.securityhub", "Security Hub Findings - Imported"),
    (r"\becs\b.{0,30}\btask", "aws.ecs", "ECS Task State Change"),
    (r"\bhealth\s+events?\b|\baws\s+health\b", "aws.health", "AWS Health Event"),
    (
        r"\bconsole\s+(?:sign[\s-]?in|log[\s-]?in)|\broot\s+(?:log|sign)[\s-]?in",
        "aws.signin",
        "AWS Console Sign In via CloudTrail",
    ),
    (r"\bauto\s?scaling\b.{0,30}\b(?:launch|terminat)", "aws.autoscaling", "EC2 Instance Launch Successful"),
    (r"\bcodepipeline\b", "aws.codepipeline", "CodePipeline Pipeline Execution State Change"),
)


class RuleParams(BlockParams):
    name: str = Field(default="schedule", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    schedule: str | None = Field(default=None, pattern=r"^(?:cron|rate)\(.+\)$")
    source: str | None = Field(default=None, pattern=r"^aws\.[a-z0-9-]+$")
    detail_type: str | None = None
    bucket_events: bool = False
    retries: int = Field(default=3, ge=0, le=185)
    max_age_s: int = Field(default=3600, ge=60, le=86400)


def eventbridge_schedule(cron: str) -> str:
    """A five-field cron as EventBridge writes it: rate() for plain intervals, else six fields
    with '?' in day-of-month or day-of-week and day names instead of numbers."""
    minute, hour, dom, month, dow = cron.split()
    if minute.startswith("*/") and hour == "*" and dom == month == dow == "*":
        n = int(minute[2:])
        return f"rate({n} minute{'s' if n > 1 else ''})"
    if minute == "0" and hour.startswith("*/") and dom == month == dow == "*":
        n = int(hour[2:])
        return f"rate({n} hour{'s' if n > 1 else ''})"
    if minute == "*" and hour == "*" and dom == month == dow == "*":
        return "rate(1 minute)"
    if minute == "0" and hour == "*" and dom == month == dow == "*":
        return "rate(1 hour)"
    if dow == "*":
        dow = "?"
    else:
        dow = re.sub(r"\d", lambda m: _DAYS[int(m.group(0)) % 7], dow)
        dom = "?"
    return f"cron({minute} {hour} {dom} {month} {dow} *)"


class EventBridgeRule(BlockSpec):
    kind: ClassVar[str] = "eventbridge_rule"
    title: ClassVar[str] = "EventBridge rule"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bevent\s?bridge(?:\s+(?:rules?|schedules?))?\b",
        r"\bcloudwatch\s+events?(?:\s+rules?)?\b",
        r"\bevent\s+rules?\b",
        r"\bscheduled\s+(?:rules?|events?)\b",
    )
    params_model: ClassVar[type[BlockParams]] = RuleParams
    tf_type: ClassVar[str] = "aws_cloudwatch_event_rule"
    cfn_type: ClassVar[str] = "AWS::Events::Rule"
    design: ClassVar[tuple[str, ...]] = (
        "Rule: a schedule or event pattern; each target gets only the permission it needs (invoke "
        "permission, queue/topic policy naming the rule, or a role for the state machine), with retries.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {
            ("trigger", "lambda"),
            ("trigger", "sqs_queue"),
            ("trigger", "sns_topic"),
            ("trigger", "step_functions"),
            ("read", "s3_bucket"),
        }
    )
    examples: ClassVar[tuple[str, ...]] = (
        "an eventbridge rule every day at 2am that triggers a lambda",
        "an eventbridge rule on ec2 instance state changes that sends to an sqs queue and an sns topic",
        "eventbridge rule when an object is created in a bucket, starting a step functions state machine",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "rule")
        if name:
            out["name"] = name
        if f.schedule:
            out["schedule"] = eventbridge_schedule(f.schedule)
        m = re.search(r"\b(rate\(\d+\s+(?:minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))", f.text)
        if m:
            out["schedule"] = m.group(1)
        for pattern, source, detail in EVENT_SOURCES:
            if re.search(pattern, f.lower):
                out.update(source=source, detail_type=detail, bucket_events=source == "aws.s3")
                break
        m = re.search(r"\b(aws\.[a-z0-9-]+)\b", f.lower)
        if m and "source" not in out:
            out["source"] = m.group(1)
        m = re.search(r"\b(\d{1,3})\s+retr(?:y|ies)\b", text, re.I)
        if m:
            out["retries"] = int(m.group(1))
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: RuleParams = u.params
        notes = []
        if p.schedule is None and p.source is None:
            notes.append(
                "No schedule or event was named: the rule runs every hour (change schedule_expression)."
            )
        if p.schedule and p.schedule.startswith("cron("):
            notes.append(f"The schedule {p.schedule} is in UTC.")
        if not s.out_of(u, "trigger"):
            notes.append(
                "The rule has no target yet: ask for it 'triggering' a Lambda, queue, topic or state machine."
            )
        return notes

    def _pattern(self, u: Unit, s: Scene) -> dict[str, Any] | None:
        p: RuleParams = u.params
        if p.schedule or not p.source:
            return None
        pattern: dict[str, Any] = {"source": [p.source]}
        if p.detail_type:
            pattern["detail-type"] = [p.detail_type]
        buckets = [b for b in s.out_of(u, "read") if b.kind == "s3_bucket"]
        if p.source == "aws.s3" and buckets:
            names = [
                ref(f"aws_s3_bucket.{b.label}.id") if s.fmt == "terraform" else yamlout.ref(b.lid)
                for b in buckets
            ]
            pattern["detail"] = {"bucket": {"name": names}}
        return pattern

    def _schedule(self, u: Unit) -> str | None:
        p: RuleParams = u.params
        if p.schedule:
            return p.schedule
        return None if p.source else "rate(1 hour)"

    def _role_statements(self, u: Unit, s: Scene) -> list[Stmt]:
        machines = [t for t in s.out_of(u, "trigger") if t.kind == "step_functions"]
        return [
            Stmt(pascal(f"start {m.label}"), ("states:StartExecution",), (m.block.arn(m, s),))
            for m in machines
        ]

    def _topic_policy(self, u: Unit, topic: Unit, s: Scene) -> dict[str, Any]:
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": f"AllowRule{u.lid}",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic.block.arn(topic, s),
                    "Condition": {"ArnEquals": {"aws:SourceArn": self.arn(u, s)}},
                }
            ],
        }

    # -- Terraform ---------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: RuleParams = u.params
        body: list[Any] = [("name", p.name), ("description", f"{p.name}: {self._schedule(u) or p.source}")]
        schedule = self._schedule(u)
        if schedule:
            body.append(("schedule_expression", schedule))
        pattern = self._pattern(u, s)
        if pattern is not None:
            body.append(("event_pattern", Call("jsonencode", pattern)))
        blocks = [resource("aws_cloudwatch_event_rule", u.label, *body)]
        statements = self._role_statements(u, s)
        if statements:
            role, _ = s.role(u, "events.amazonaws.com", statements)
            blocks += role
        for target in s.out_of(u, "trigger"):
            t: list[Any] = [
                ("rule", ref(f"aws_cloudwatch_event_rule.{u.label}.name")),
                ("target_id", target.label[:64]),
                ("arn", target.block.arn(target, s)),
            ]
            if target.kind == "step_functions":
                t.append(("role_arn", s.role_arn(u)))
            if target.kind == "sqs_queue" and getattr(target.params, "fifo", False):
                t.append(Block("sqs_target", body=[("message_group_id", p.name)]))
            t.append(
                Block(
                    "retry_policy",
                    body=[
                        ("maximum_retry_attempts", p.retries),
                        ("maximum_event_age_in_seconds", p.max_age_s),
                    ],
                )
            )
            blocks.append(resource("aws_cloudwatch_event_target", f"{u.label}_{target.label}", *t))
            if target.kind == "sns_topic":
                s.key_arn("events", "EventBridge")
                blocks.append(
                    resource(
                        "aws_sns_topic_policy",
                        f"{target.label}_from_{u.label}",
                        ("arn", ref(f"aws_sns_topic.{target.label}.arn")),
                        ("policy", Call("jsonencode", self._topic_policy(u, target, s))),
                    )
                )
        for bucket in s.out_of(u, "read"):
            if bucket.kind == "s3_bucket" and p.source == "aws.s3":
                blocks.append(
                    resource(
                        "aws_s3_bucket_notification",
                        f"{bucket.label}_to_eventbridge",
                        ("bucket", ref(f"aws_s3_bucket.{bucket.label}.id")),
                        ("eventbridge", True),
                    )
                )
        s.output(f"{u.label}_rule_arn", ref(f"aws_cloudwatch_event_rule.{u.label}.arn"), "ARN of the rule.")
        return blocks

    # -- CloudFormation ----------------------------------------------------------------------
    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: RuleParams = u.params
        props: dict[str, Any] = {
            "Name": p.name,
            "Description": f"{p.name}: {self._schedule(u) or p.source}",
            "State": "ENABLED",
        }
        schedule = self._schedule(u)
        if schedule:
            props["ScheduleExpression"] = schedule
        pattern = self._pattern(u, s)
        if pattern is not None:
            props["EventPattern"] = pattern
        out: dict[str, Any] = {}
        statements = self._role_statements(u, s)
        if statements:
            _, role = s.role(u, "events.amazonaws.com", statements)
            out.update(role)
        targets = []
        for target in s.out_of(u, "trigger"):
            t: dict[str, Any] = {"Id": target.lid[:64], "Arn": self._target_arn(target, s)}
            if target.kind == "step_functions":
                t["RoleArn"] = s.role_arn(u)
            if target.kind == "sqs_queue" and getattr(target.params, "fifo", False):
                t["SqsParameters"] = {"MessageGroupId": p.name}
            t["RetryPolicy"] = {"MaximumRetryAttempts": p.retries, "MaximumEventAgeInSeconds": p.max_age_s}
            targets.append(t)
            if target.kind == "sns_topic":
                s.key_arn("events", "EventBridge")
                out[f"{target.lid}From{u.lid}Policy"] = cfn(
                    "AWS::SNS::TopicPolicy",
                    {"Topics": [yamlout.ref(target.lid)], "PolicyDocument": self._topic_policy(u, target, s)},
                )
        if targets:
            props["Targets"] = targets
        out[u.lid] = cfn("AWS::Events::Rule", props)
        s.output(f"{u.label}_rule_arn", yamlout.get_att(u.lid, "Arn"), "ARN of the rule.")
        return out

    def _target_arn(self, target: Unit, s: Scene) -> Any:
        if target.kind == "lambda":
            return yamlout.get_att(target.lid, "Arn")
        return target.block.arn(target, s)
