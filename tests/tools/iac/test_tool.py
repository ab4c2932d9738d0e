"""generate_iac as the agent calls it: the reply's code, report and explanation, and its errors."""

from __future__ import annotations

import pytest

from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.iac.checks import env_for
from tools.iac.generate_iac import GenerateIac, GenerateIacInput
from tools.iac.validate.terraform import parse_terraform


def run(ctx: ToolContext, **args: object) -> object:
    tool = GenerateIac()
    return tool.run(ctx, tool.parse(dict(args)))


def test_terraform_private_bucket_with_versioning(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    result = tool.run(
        iac_ctx, tool.parse({"request": "write Terraform for a private S3 bucket with versioning"})
    )
    assert result.status == ToolStatus.OK
    (block,) = result.code
    assert (block.language, block.filename) == ("hcl", "main.tf")
    doc = parse_terraform(block.code)
    types = {r.type for r in doc.resources}
    assert {"aws_s3_bucket", "aws_s3_bucket_versioning", "aws_s3_bucket_public_access_block"} <= types
    checks = {c.check: c.result for c in result.checks}
    assert {k: v.split(",")[0] for k, v in checks.items()} == {
        "syntax": "pass",
        "schema": "pass",
        "references": "pass",
        "security": "pass",
        "checkov": "skipped",  # the shared test environment runs without it (tests/tools/iac/test_checkov.py)
    }
    table = result.tables[0]
    assert table.columns == ["Check", "By", "Result", "Detail"] and len(table.rows) == 5
    assert "passed every check" in result.message and "Design choices" in result.message
    assert "terraform init" in result.message


def test_kubernetes_deployment_for_nginx(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    args = tool.parse({"request": "a Kubernetes deployment for nginx with 3 replicas and a service"})
    result = tool.run(iac_ctx, args)
    assert result.status == ToolStatus.OK
    (block,) = result.code
    assert block.filename == "k8s.yaml" and "kind: Deployment" in block.code and "kind: Service" in block.code
    assert "replicas: 3" in block.code
    assert "Pod Security" in result.message and "nginx-unprivileged" in result.message


def test_format_is_inferred_or_taken_from_the_argument(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    result = tool.run(
        iac_ctx, tool.parse({"request": "an SQS queue with a dead-letter queue", "format": "cloudformation"})
    )
    assert result.format == "cloudformation" and result.code[0].filename == "template.yaml"
    assert "AWS::SQS::Queue" in result.code[0].code


def test_follow_up_format_wins(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    result = tool.run(iac_ctx, tool.parse({"request": "terraform for an sqs queue, now as cloudformation"}))
    assert result.format == "cloudformation"


def test_explicit_template_and_params(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    args = tool.parse(
        {"request": "queue", "template": "sqs_with_dlq", "params": {"queue_name": "billing", "fifo": True}}
    )
    result = tool.run(iac_ctx, args)
    assert result.status == ToolStatus.OK
    assert result.params["queue_name"] == "billing" and result.params["fifo"] is True
    assert "billing" in result.code[0].code and ".fifo" in result.code[0].code


def test_uncovered_request_offline_lists_the_closest_templates(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    result = tool.run(
        iac_ctx, tool.parse({"request": "an AppSync GraphQL API with a Step Functions workflow"})
    )
    assert result.status == ToolStatus.NO_DATA
    assert "can't generate" in result.message and "configure an LLM" in result.message.replace(
        "Configure", "configure"
    )
    assert result.closest and not result.code


def test_uncovered_request_names_similar_templates(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    result = tool.run(iac_ctx, tool.parse({"request": "a redshift cluster for analytics"}))
    assert result.status == ToolStatus.NO_DATA and not result.code
    assert "can't generate a Redshift cluster" in result.message
    assert result.closest == ["an Aurora PostgreSQL cluster"]


def test_format_the_template_lacks(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    with pytest.raises(UserFacingError, match="available as Terraform or CloudFormation, not Kubernetes"):
        tool.run(iac_ctx, tool.parse({"request": "kubernetes manifest for a private s3 bucket"}))
    with pytest.raises(UserFacingError, match="available as Kubernetes, not Terraform"):
        tool.run(iac_ctx, tool.parse({"request": "an hpa", "template": "k8s_hpa", "format": "terraform"}))


def test_unsafe_or_invalid_parameters_are_refused_with_reasons(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    # SSH from anywhere gets the secure variant, and the answer says what changed and why.
    ssh = tool.run(iac_ctx, tool.parse({"request": "a security group with ssh open from anywhere"}))
    assert ssh.passed and "Changed from your request: SSH" in ssh.message
    assert "0.0.0.0/0" not in ssh.code[0].code
    with pytest.raises(UserFacingError, match="replicas.*less than or equal to 100"):
        tool.run(iac_ctx, tool.parse({"request": "a kubernetes deployment with 500 replicas"}))
    with pytest.raises(UserFacingError, match="pin the image"):
        tool.run(iac_ctx, tool.parse({"request": "k8s deployment with image ghcr.io/acme/api:latest"}))
    with pytest.raises(UserFacingError, match="Its parameters are: .*queue_name"):
        tool.run(
            iac_ctx,
            tool.parse({"request": "a queue", "template": "sqs_with_dlq", "params": {"colour": "blue"}}),
        )
    with pytest.raises(UserFacingError, match="no template 'nope'"):
        tool.run(iac_ctx, tool.parse({"request": "a queue", "template": "nope"}))


def test_input_model_is_strict() -> None:
    with pytest.raises(ValueError):
        GenerateIacInput.model_validate({"request": "s3 bucket", "langauge": "hcl"})
    with pytest.raises(ValueError):
        GenerateIacInput.model_validate({"request": "s3 bucket", "format": "pulumi"})


def test_validators_are_built_once_per_context(iac_ctx: ToolContext) -> None:
    assert env_for(iac_ctx) is env_for(iac_ctx)


def test_deployment_with_ingress_and_autoscaler_in_one_file(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    request = (
        "a kubernetes deployment for nginx with 3 replicas, a service, an ingress for shop.example.com "
        "and autoscaling up to 12 pods"
    )
    result = tool.run(iac_ctx, tool.parse({"request": request}))
    assert result.status == ToolStatus.OK
    code = result.code[0].code
    for kind in ("Deployment", "Service", "PodDisruptionBudget", "Ingress", "HorizontalPodAutoscaler"):
        assert f"kind: {kind}\n" in code, kind
    assert "host: shop.example.com" in code and "maxReplicas: 12" in code and "minReplicas: 3" in code
    assert not any("does not define" in w for w in result.errors)
    assert "Also in the file" in result.message
