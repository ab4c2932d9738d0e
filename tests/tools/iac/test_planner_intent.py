"""The offline planner sends infrastructure-code requests to generate_iac, and nothing else there."""

from __future__ import annotations

import pytest

from agent.planner import OfflinePlanner, PastTurn, PlannedCall, ToolSpec
from tests.agent.planner.helpers import NOW, tool_specs
from tools.iac.generate_iac import GenerateIac, GenerateIacInput


def specs() -> list[ToolSpec]:
    tool = GenerateIac()
    iac = ToolSpec(
        name=tool.name,
        description=tool.description,
        mutating=tool.mutating,
        parameters=GenerateIacInput.model_json_schema(),
    )
    return [*tool_specs(), iac]


def plan(text: str, history: list[PastTurn] | None = None) -> list[PlannedCall]:
    return OfflinePlanner().plan(text, history or [], specs(), NOW).calls


IAC_REQUESTS = [
    "write Terraform for a private S3 bucket with versioning",
    "a Kubernetes deployment for nginx with 3 replicas and a service",
    "CloudFormation for an SQS queue with a dead-letter queue",
    "can you make a private bucket in terraform?",
    "generate k8s manifests for a cronjob every day at 2am",
    "I need terraform code for a VPC with public and private subnets",
    "give me a cloudformation template for an RDS postgres database",
    "create an encrypted S3 bucket called acme-logs",
    "infrastructure as code for an ECS service please",
    "k8s ingress for app.example.com",
    "how do I write terraform for a dynamodb table?",
    # Issue #15: ordinary requests typed the way engineers type them.
    "EFS file system for our shared uploads, terraform",
    "need an elasticache redis cluster with 2 nodes, encrypted, in terraform",
    "ECR repo with scan on push for the api image",
    "SQS queue encrypted with a customer managed KMS key",
    "terraform for VPC flow logs on vpc-0a1b2c3d4e5f67890",
    "ALB with HTTPS listener and redirect from http",
    "Aurora Postgres Serverless v2 cluster, cloudformation please",
    "GitHub Actions OIDC role so our workflows can deploy without keys",
    "HTTP API in front of a lambda",
    "SNS topic fanning out to two SQS queues",
    "RDS MySQL instance db.t4g.medium with 100 GB",
    "autoscaling group with IMDSv2 required, t3.small, 2 to 6 instances",
    "PodDisruptionBudget for the api deployment, min available 2",
    "RBAC for a read-only role in the monitoring namespace",
    "default-deny NetworkPolicy for the payments namespace",
    "Postgres StatefulSet with a 20Gi volume",
    "Step Functions state machine that calls a lambda",
    "CloudTrail trail to an encrypted bucket",
    "HPA on memory at 80% for the web deployment",
    "nginx deployment with a ConfigMap for its config",
    "privileged DaemonSet for a node agent",
    "static website bucket in terraform",
    "security group allowing SSH from anywhere",
    "write Pulumi for an S3 bucket",
    # Spellings and descriptions the held-out requests showed were missed.
    "Aurora Postgres Serverless v2 cluster",
    "ecr repository named payments/worker keeping the last 20 images",
    "event bridge rule on EC2 instance state changes that sends to an sqs queue",
    "eventbridge rule for guardduty findings publishing to an sns topic",
    "ssm parameter /prod/checkout/db-host as a SecureString",
    "public static website for marketing, s3 + cloudfront",
    "fargate task for ghcr.io/acme/ingest:2.0.1 writing to a dynamodb table",
    "bastion host on t4g.nano, ssm only",
    "glue crawler over our s3 data lake",
    "load balancer on plain http only, no tls",
    "ec2 box for jenkins, m5.xlarge, 200gb disk",
    "aws backup for our efs, monthly, keep a year",
    "ssm param /dev/db/port string = '5432'",
]


@pytest.mark.parametrize("text", IAC_REQUESTS)
def test_iac_requests_call_generate_iac(text: str) -> None:
    calls = plan(text)
    assert [c.name for c in calls] == ["generate_iac"], text
    GenerateIacInput.model_validate(calls[0].args)
    assert calls[0].args == {"request": text.strip()}


NOT_IAC = [
    ("block public access on bucket acme-logs", "remediate"),
    ("how much did we spend on EC2 last month", "cost_query"),
    ("are any buckets public?", "security_scan"),
    ("list our EC2 instances in eu-west-1", "describe_resources"),
    ("what is our runbook for a full disk?", "search_knowledge"),
    ("is the terraform-state bucket public?", "security_scan"),
    ("list security groups in eu-west-1", "describe_resources"),
    ("list guardduty findings", "list_findings"),
]


@pytest.mark.parametrize(("text", "tool"), NOT_IAC)
def test_other_requests_keep_their_tool(text: str, tool: str) -> None:
    assert [c.name for c in plan(text)] == [tool]


def test_follow_up_refines_the_previous_request() -> None:
    first = plan("write Terraform for an SQS queue with a dead-letter queue")
    history = [PastTurn(text="write Terraform for an SQS queue with a dead-letter queue", calls=first)]
    calls = plan("now in cloudformation", history)
    assert [c.name for c in calls] == ["generate_iac"]
    assert calls[0].args["request"].endswith("now in cloudformation")
    assert calls[0].args["request"].startswith("write Terraform for an SQS queue")


def test_without_the_tool_the_planner_says_so() -> None:
    decision = OfflinePlanner().plan("write Terraform for a private S3 bucket", [], tool_specs(), NOW)
    assert not decision.calls and decision.answer and "generate_iac" in decision.answer
