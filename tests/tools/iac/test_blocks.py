"""The building blocks: each renders valid, rule-clean code alone; compositions wire what they
need; the issue's examples get the resource they name or an explicit refusal, never a substitute."""

from __future__ import annotations

import pytest

from tools.base import ToolContext, ToolStatus
from tools.iac.blocks import AWS_BLOCKS, BLOCKS, KUBERNETES_BLOCKS
from tools.iac.checks import IacEnv, check_code
from tools.iac.compose import compose, family_of, render
from tools.iac.generate_iac import GenerateIac, GenerateIacResult
from tools.iac.honour import not_applied

# A Secret reference renders nothing on its own: the Secret is created outside the file.
CASES = [(b, fmt) for b in BLOCKS for fmt in b.formats if b.kind != "secret_ref"]


@pytest.mark.parametrize(("block", "fmt"), CASES, ids=[f"{b.kind}-{f}" for b, f in CASES])
def test_every_block_renders_valid_rule_clean_code(block: object, fmt: str, iac_env: IacEnv) -> None:
    from tools.iac.blocks.base import BlockSpec, Unit, pascal

    assert isinstance(block, BlockSpec)
    comp = compose("", "kubernetes" if fmt == "kubernetes" else "aws")
    comp.units.append(Unit(block, block.build({}), block.kind, pascal(block.kind)))
    if block.requires or block.kind in ("hpa", "pdb", "service", "ingress", "configmap"):
        # Blocks that only exist with something else: compose them from a request instead.
        request = {
            "http_api": "an HTTP API in front of a lambda",
            "rest_api": "a REST API in front of a lambda",
            "cloudtrail": "a cloudtrail trail",
            "cloudfront": "a cloudfront distribution",
            "vpc": "a vpc",
            "hpa": "a deployment with an hpa",
            "pdb": "a deployment with a pdb",
            "service": "a deployment with a service",
            "ingress": "a deployment with an ingress for app.example.com",
            "configmap": "a deployment for nginx with a configmap",
        }[block.kind]
        comp = compose(request, family_of(request, fmt))  # type: ignore[arg-type]
    code, _ = render(comp, fmt, "")  # type: ignore[arg-type]
    report = check_code(iac_env, code, fmt)  # type: ignore[arg-type]
    assert report.ok, [i.line() for i in report.errors()]
    marker = {"terraform": block.tf_type, "cloudformation": block.cfn_type, "kubernetes": block.k8s_kind}[fmt]
    if marker:
        assert marker in code


def test_the_library_is_large_enough() -> None:
    assert len(set(b.kind for b in BLOCKS)) == len(BLOCKS)
    assert len(AWS_BLOCKS) >= 20 and len(KUBERNETES_BLOCKS) >= 16
    kinds = {b.k8s_kind for b in KUBERNETES_BLOCKS if b.k8s_kind}
    assert {
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "CronJob",
        "Job",
        "Service",
        "Ingress",
        "ConfigMap",
    } <= kinds
    assert {
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ServiceAccount",
        "Role",
    } <= kinds
    assert {"RoleBinding", "PersistentVolumeClaim"} <= kinds


def _ask(ctx: ToolContext, request: str) -> GenerateIacResult:
    tool = GenerateIac()
    return tool.run(ctx, tool.parse({"request": request}))


def test_the_issue_examples_get_what_they_name(iac_ctx: ToolContext) -> None:
    aurora = _ask(iac_ctx, "Aurora Postgres Serverless v2 cluster")
    assert aurora.passed and 'resource "aws_rds_cluster"' in aurora.code[0].code
    assert "aws_secretsmanager_secret" not in aurora.code[0].code
    sfn = _ask(iac_ctx, "Step Functions state machine")
    assert sfn.passed and 'resource "aws_sfn_state_machine"' in sfn.code[0].code
    trail = _ask(iac_ctx, "CloudTrail trail to an encrypted bucket")
    code = trail.code[0].code
    assert trail.passed and 'resource "aws_cloudtrail"' in code and "cloudtrail.amazonaws.com" in code
    hpa = _ask(iac_ctx, "HPA on memory at 80% for the web deployment")
    assert hpa.passed and "name: memory" in hpa.code[0].code and "averageUtilization: 80" in hpa.code[0].code
    arn = "arn:aws:lambda:us-east-1:123456789012:function:rotator"
    secret = _ask(iac_ctx, f"secret rotated every 30 days by lambda {arn}")
    assert (
        secret.passed
        and arn in secret.code[0].code
        and "automatically_after_days = 30" in secret.code[0].code
    )
    nginx = _ask(iac_ctx, "nginx deployment with a ConfigMap for its config")
    assert nginx.passed and "kind: ConfigMap" in nginx.code[0].code and "configMap:" in nginx.code[0].code


@pytest.mark.parametrize(
    ("request_text", "words"),
    [
        ("terraform for a Redshift cluster", "can't generate a Redshift cluster"),
        ("opensearch serverless collection for logs", "can't generate an OpenSearch Serverless"),
        ("write Pulumi for an S3 bucket", "Pulumi is not supported"),
        ("bicep for a storage account", "Bicep is not supported"),
    ],
)
def test_what_cannot_be_built_is_refused_by_name(iac_ctx: ToolContext, request_text: str, words: str) -> None:
    tool = GenerateIac()
    try:
        result = tool.run(iac_ctx, tool.parse({"request": request_text}))
    except Exception as exc:  # UserFacingError for formats
        assert words in str(exc)
        return
    assert result.status == ToolStatus.NO_DATA and not result.code and words in result.message


@pytest.mark.parametrize(
    "request_text",
    [
        "privileged DaemonSet for a node agent",
        "static website bucket in terraform",
        "security group allowing SSH from anywhere",
        "http api in front of a lambda named hook, no auth",
    ],
)
def test_insecure_asks_get_the_secure_variant_and_say_so(iac_ctx: ToolContext, request_text: str) -> None:
    result = _ask(iac_ctx, request_text)
    assert result.passed and "Changed from your request" in result.message


def test_values_that_did_not_make_it_into_the_code_are_named() -> None:
    assert not_applied("a queue named orders with 3 retries", "name = orders\nmaxReceiveCount = 3") == []
    assert not_applied("a queue named orders with 3 retries", "name = jobs") == ["orders", "3 retries"]
    assert not_applied("visibility timeout of 2 minutes", "visibility_timeout_seconds = 120") == []


def test_a_resource_the_blocks_cannot_compose_is_reported(iac_ctx: ToolContext) -> None:
    result = _ask(iac_ctx, "an HTTP API with a CloudWatch alarm in front of a lambda")
    assert result.passed and any("CloudWatch alarm" in item for item in result.not_applied)
    assert "I did not apply: the CloudWatch alarm" in result.message
