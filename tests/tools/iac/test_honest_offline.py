"""Issue #15, item 2, offline: every kind and value a request names is in the code or in an "I did
not apply" line. A kind no block builds is named with the closest one instead of being dropped;
a phrase that only gives context is not a kind to build; values are read the way code writes
them (a CloudFormation region is the deploy command's, "10 GB" may be bytes, "a monthly budget"
states no schedule); and a real provider type passes the schema check."""

from __future__ import annotations

import re

import pytest

from tools.base import ToolContext
from tools.iac.asked_types import asked_kinds
from tools.iac.generate_iac import GenerateIac, GenerateIacResult
from tools.iac.honour import explicit_values, not_applied
from tools.iac.model import IacFormat
from tools.iac.validate.terraform import validate_terraform


def _run(ctx: ToolContext, request: str) -> GenerateIacResult:
    tool = GenerateIac()
    return tool.run(ctx, tool.parse({"request": request}))


def _types(code: str) -> set[str]:
    return set(re.findall(r'^resource "(\w+)"', code, re.M)) | set(re.findall(r"Type: (AWS::\S+)", code))


@pytest.mark.parametrize(
    ("request_text", "built", "named"),
    [
        (
            "terraform: sqs queue named jobs-in plus a cloudwatch dashboard for it",
            "aws_sqs_queue",
            "CloudWatch dashboard",
        ),
        (
            "cloudformation: a kms key for our data plus a security hub subscription",
            "AWS::KMS::Key",
            "Security Hub",
        ),
        (
            "an s3 bucket named acme-audit-logs and a guardduty detector",
            "aws_s3_bucket",
            "GuardDuty detector",
        ),
    ],
)
def test_a_kind_no_block_builds_is_named_not_dropped(
    iac_ctx: ToolContext, request_text: str, built: str, named: str
) -> None:
    result = _run(iac_ctx, request_text)
    assert result.passed and built in _types(result.code[0].code)
    line = next(n for n in result.not_applied if named in n)
    assert "no building block for it offline" in line
    assert f"I did not apply: {line}" in result.message


def test_the_closest_block_is_offered_for_a_kind_none_builds(iac_ctx: ToolContext) -> None:
    result = _run(iac_ctx, "sns topic named billing-alerts and an aws budget for the team")
    line = next(n for n in result.not_applied if "AWS budget" in n)
    assert "closest I build: SNS topic" in line


@pytest.mark.parametrize(
    "request_text",
    [
        "IAM role for an existing Lambda that reads bucket acme-exports",
        "a cloudwatch alarm on the orders queue",
        "security group for an existing ec2 instance allowing 443 from 10.0.0.0/8",
    ],
)
def test_context_phrases_are_not_kinds_to_build(iac_ctx: ToolContext, request_text: str) -> None:
    result = _run(iac_ctx, request_text)
    assert result.passed
    assert result.not_applied == []


def test_a_cloudformation_region_goes_to_the_deploy_command(iac_ctx: ToolContext) -> None:
    result = _run(iac_ctx, "cloudformation: sns topic named deploy-events in eu-central-1")
    assert result.passed and result.not_applied == []
    assert "--region eu-central-1" in result.message
    assert "I did not apply" not in result.message


def test_a_region_missing_from_terraform_is_still_reported() -> None:
    code = 'resource "aws_sqs_queue" "q" {\n  name = "jobs"\n}\n'
    assert not_applied("terraform sqs queue named jobs in eu-west-1", code) == ["eu-west-1"]
    cfn = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
    assert not_applied("cloudformation sqs queue in eu-west-1", cfn) == []


@pytest.mark.parametrize("code", ["size = 10", "ephemeral = 10240", "bytes = 10737418240", "storage: 10Gi"])
def test_ten_gb_written_in_any_unit_is_applied(code: str) -> None:
    assert not_applied("a volume of 10 GB", code) == []


@pytest.mark.parametrize(
    "request_text",
    [
        "terraform for a monthly budget of 500 USD",
        "an s3 bucket for our monthly cost report",
        "a lambda named nightly-report",
        "a weekly digest topic",
    ],
)
def test_frequency_words_that_schedule_nothing_are_not_schedules(request_text: str) -> None:
    assert not any(
        re.fullmatch(r"(?:hourly|daily|nightly|weekly|monthly)", a.said)
        for a in explicit_values(request_text)
    )


@pytest.mark.parametrize(
    ("request_text", "said"),
    [
        ("daily backups kept 35 days", "daily"),
        ("aws backup for our efs, monthly, keep a year", "monthly"),
        ("a secret rotated monthly", "monthly"),
        ("a lambda that runs nightly", "nightly"),
        ("a lambda named nightly-report triggered daily at 3am", "at 3am"),
        ("a cronjob every 15 minutes", "every 15 minutes"),
    ],
)
def test_schedules_attached_to_something_that_runs_are_read(request_text: str, said: str) -> None:
    assert said in [a.said for a in explicit_values(request_text)]


PROVIDERS = (
    'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 6.0" }\n'
    "  }\n}\n"
)


def test_a_provider_type_outside_the_detailed_table_passes_the_schema_check() -> None:
    code = PROVIDERS + (
        'resource "aws_redshiftserverless_namespace" "a" {\n  namespace_name = "analytics"\n}\n'
        'resource "aws_redshiftserverless_workgroup" "a" {\n'
        "  namespace_name = aws_redshiftserverless_namespace.a.namespace_name\n"
        '  workgroup_name = "analytics"\n}\n'
    )
    _, runs = validate_terraform(code)
    schema = next(r for r in runs if r.check == "schema")
    assert schema.errors == []


def test_a_made_up_type_is_still_refused() -> None:
    _, runs = validate_terraform(PROVIDERS + 'resource "aws_redshift_serverless_cluster" "a" {}\n')
    schema = next(r for r in runs if r.check == "schema")
    assert any("unknown resource type" in i.message for i in schema.errors)


@pytest.mark.parametrize(
    ("request_text", "fmt", "asked"),
    [
        # A name is not a kind; an event source is not a resource to build.
        ("sns topic named alarms with email to oncall@example.com", "terraform", ["SNS topic"]),
        ("eventbridge to push ecs task state changes into sns topic ops-events", "terraform", ["SNS topic"]),
        ("sns topic named alarms and a cloudwatch alarm on its queue", "terraform", ["CloudWatch alarm"]),
    ],
)
def test_names_and_event_sources_are_not_asked_kinds(
    request_text: str, fmt: IacFormat, asked: list[str]
) -> None:
    titles = [k.title for k in asked_kinds(request_text, fmt)]
    assert all(a in titles for a in asked)
    assert not any(t.startswith(("ECS", "CloudWatch alarm")) for t in titles if t not in asked)


def test_a_cluster_wide_role_counts_as_the_role_asked_for() -> None:
    (role,) = [
        k
        for k in asked_kinds("a cluster-wide read only role bound to group sre", "kubernetes")
        if k.block == "role"
    ]
    assert role.found_in({"ClusterRole", "ClusterRoleBinding"}, "kubernetes")


def test_a_number_inside_a_date_does_not_apply_a_size() -> None:
    policy = '{ Version = "2012-10-17" }'
    assert not_applied("a lambda with 10 GB of ephemeral storage", policy) == ["10 GB"]
