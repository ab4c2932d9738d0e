"""Each format's validator catches what would make the code fail to deploy."""

from __future__ import annotations

import pytest

from tools.iac.checks import IacEnv, check_code
from tools.iac.hcl import Block, Call, document, interp, quote, ref
from tools.iac.model import Level
from tools.iac.validate.terraform import parse_terraform, validate_terraform

PROVIDERS = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.0" }
  }
}
"""


def _issues(code: str) -> list[str]:
    _, runs = validate_terraform(code)
    return [i.line() for r in runs for i in r.errors]


# -- Terraform -----------------------------------------------------------------------------------
def test_terraform_syntax_error_has_a_line() -> None:
    doc, runs = validate_terraform('resource "aws_s3_bucket" "b" {\n  bucket = \n}\n')
    assert doc is None
    (issue,) = runs[0].issues
    assert issue.check == "syntax" and issue.location == "line 2"


def test_terraform_unknown_type_and_missing_arguments() -> None:
    code = (
        PROVIDERS
        + """
resource "aws_s3_bukcet" "typo" {}
resource "aws_lambda_function" "f" {
  function_name = "f"
}
resource "aws_s3_bucket_versioning" "v" {
  bucket = "x"
}
"""
    )
    problems = _issues(code)
    assert any("unknown resource type 'aws_s3_bukcet'" in p for p in problems)
    assert any("aws_lambda_function.f: missing required argument 'role'" in p for p in problems)
    assert any("missing required block 'versioning_configuration'" in p for p in problems)


def test_terraform_undeclared_references() -> None:
    code = (
        PROVIDERS
        + """
resource "aws_sqs_queue" "q" {
  name   = var.queue_name
  policy = jsonencode({ Resource = aws_sns_topic.missing.arn, Other = "${local.nope}-x" })
  tags   = { Region = data.aws_region.current.name, Key = each.key }
}
"""
    )
    problems = _issues(code)
    for missing in ("var.queue_name", "aws_sns_topic.missing", "local.nope", "data.aws_region.current"):
        assert any(f"{missing} is not declared" in p for p in problems), missing
    assert not any("each.key" in p for p in problems)


def test_terraform_string_literals_are_not_references() -> None:
    code = (
        PROVIDERS
        + """
resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "arn:aws:iam::123456789012:role/x"
  handler       = "lambda_function.lambda_handler"
  environment {
    variables = { NAME = "${"aws_s3_bucket.not_a_ref"}" }
  }
}
"""
    )
    assert _issues(code) == []


def test_terraform_removed_and_deprecated_arguments() -> None:
    code = (
        PROVIDERS
        + """
resource "aws_s3_bucket" "b" {
  bucket = "x"
  acl    = "private"
}
resource "aws_eip" "nat" {
  vpc = true
}
"""
    )
    _, runs = validate_terraform(code)
    issues = [i for r in runs for i in r.issues]
    assert any(i.level == Level.WARNING and "'acl' is deprecated" in i.message for i in issues)
    assert any(i.level == Level.ERROR and "'vpc' was removed" in i.message for i in issues)


def test_terraform_without_required_providers_is_a_warning() -> None:
    _, runs = validate_terraform('resource "aws_sqs_queue" "q" {}\n')
    assert all(r.passed for r in runs)
    assert any("required_providers" in i.message for r in runs for i in r.issues)


def test_terraform_empty_file_fails() -> None:
    assert any("no resource" in p for p in _issues("# nothing\n"))


def test_terraform_duplicate_addresses() -> None:
    problems = _issues(PROVIDERS + 'resource "aws_sqs_queue" "q" {}\nresource "aws_sqs_queue" "q" {}\n')
    assert any("declared more than once" in p for p in problems)


# -- the HCL writer ------------------------------------------------------------------------------
def test_hcl_writer_escapes_everything_a_parameter_could_contain() -> None:
    nasty = 'a "quoted" ${var.x} %{if} back\\slash\nnewline'
    code = document(
        [
            Block(
                "resource",
                ("aws_sqs_queue", "q"),
                [
                    ("name", nasty),
                    ("tags", {"key with space": "v", "Plain": ref("var.x")}),
                    (
                        "policy",
                        Call("jsonencode", {"Resource": [interp("${aws_sqs_queue.q.arn}/*")], "N": 1}),
                    ),
                ],
            )
        ]
    )
    doc = parse_terraform(code)
    (queue,) = doc.resources
    assert queue.body["name"].replace("$${", "${").replace("%%{", "%{") == nasty
    assert queue.body["tags"]["key with space"] == "v"
    assert quote("x") == '"x"'


# -- CloudFormation ------------------------------------------------------------------------------
def test_cloudformation_lint_errors(iac_env: IacEnv) -> None:
    code = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref Missing
      Bogus: 1
  Thing:
    Type: AWS::Nope::Thing
"""
    report = check_code(iac_env, code, "cloudformation")
    messages = " ".join(i.message for i in report.errors())
    assert not report.ok and not report.valid
    assert "E3002" in messages and "Bogus" in messages
    assert "Missing" in messages
    assert "AWS::Nope::Thing" in messages


def test_cloudformation_parse_error(iac_env: IacEnv) -> None:
    report = check_code(iac_env, "Resources: [\n", "cloudformation")
    assert not report.ok and report.runs[0].check == "syntax" and report.runs[0].errors


# -- Kubernetes ----------------------------------------------------------------------------------
POD = """apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: nginx
      securityContext:
        privileged: true
"""


def test_kubernetes_schema_rejects_unknown_fields_and_kinds(iac_env: IacEnv) -> None:
    code = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replica: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: other}
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
"""
    report = check_code(iac_env, code, "kubernetes")
    messages = [i.line() for i in report.errors()]
    assert any("'replica' was unexpected" in m for m in messages)
    assert any("unknown kind Widget" in m for m in messages)
    assert any("selector does not match" in m for m in messages)


def test_kubernetes_pod_security_basics(iac_env: IacEnv) -> None:
    report = check_code(iac_env, POD, "kubernetes")
    messages = " | ".join(i.message for i in report.errors() if i.check == "pod-security")
    for expected in (
        "not pinned",
        "runs privileged",
        "allowPrivilegeEscalation",
        "runAsNonRoot",
        "drop ALL",
        "seccomp",
        "no resource",
    ):
        assert expected in messages, expected
    assert report.valid and not report.ok  # schema-valid, but insecure


@pytest.mark.parametrize("bad", ["kind: [", "- just\n- a list\n", ""])
def test_kubernetes_not_manifests(bad: str, iac_env: IacEnv) -> None:
    report = check_code(iac_env, bad, "kubernetes")
    assert not report.ok and report.runs[0].errors
