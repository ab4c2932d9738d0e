"""Issue #15: a stand-alone IAM role for a service, scoped to the resources the request names.
Checked on the rendered Terraform and CloudFormation the way a reviewer reads a policy: who may
assume it, which actions, on which resources, and that the validators and security rules pass."""

from __future__ import annotations

import re

import pytest

from tools.base import ToolContext
from tools.iac.checks import IacEnv, check_code
from tools.iac.compose import compose, render
from tools.iac.generate_iac import GenerateIac, GenerateIacResult
from tools.iac.model import IacFormat

SSM = "iam role for ec2 that can read ssm params under /app/prod"
REQUESTS = (
    SSM,
    "role letting lambda write to table orders",
    "instance role for ec2 with ssm access",
    "iam role for a lambda that can read from the s3 bucket named acme-raw and send to queue jobs",
    "iam role for step functions that can publish to topic alerts and read secret prod/api-key",
    "iam role assumable by account 123456789012 with read/write access to the bucket acme-share",
)


def _code(request: str, fmt: IacFormat) -> str:
    comp = compose(request, "aws")
    assert comp.kinds == ["iam_role"], comp.kinds
    code, _ = render(comp, fmt, request)
    return code


def _flat(code: str) -> str:
    return re.sub(r"[ \t]+", " ", code)


def _actions(code: str) -> list[str]:
    """The actions the role's own policy grants (not the trust policy's sts:AssumeRole)."""
    lists = re.findall(r"\bAction\s*=\s*\[([^\]]*)\]", code)
    return [a for body in lists for a in re.findall(r'"([a-z0-9-]+:[A-Za-z*]+)"', body)]


@pytest.mark.parametrize("request_text", REQUESTS)
@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_the_role_is_valid_and_passes_the_security_rules(
    iac_env: IacEnv, request_text: str, fmt: IacFormat
) -> None:
    code = _code(request_text, fmt)
    report = check_code(iac_env, code, fmt)
    assert report.ok, (request_text, fmt, [i.line() for i in report.errors()])


@pytest.mark.parametrize("request_text", REQUESTS)
def test_no_wildcard_action_and_no_wildcard_resource(request_text: str) -> None:
    code = _code(request_text, "terraform")
    policy = code[code.index('resource "aws_iam_role"') :]
    assert not re.search(r'"[a-z0-9-]+:\*"', policy) and '"*"' not in policy
    assert 'Resource = "*"' not in _flat(policy)
    cfn = _code(request_text, "cloudformation")
    assert not re.search(r"\b[a-z0-9-]+:\*", cfn) and "Resource: '*'" not in cfn


def test_ec2_role_reads_only_the_parameters_under_the_path() -> None:
    code = _code(SSM, "terraform")
    assert 'Service = "ec2.amazonaws.com"' in _flat(code)
    assert 'resource "aws_iam_instance_profile"' in code
    assert set(_actions(code)) == {
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "kms:Decrypt",
    }
    assert ':parameter/app/prod"' in code and ':parameter/app/prod/*"' in code
    # SecureString values: decrypt with the named key, and only through SSM.
    assert '"kms:ViaService" = "ssm.${var.region}.amazonaws.com"' in _flat(code)
    # No parameter is created: the role uses the existing ones.
    assert 'resource "aws_ssm_parameter"' not in code and 'resource "aws_instance"' not in code
    cfn = _code(SSM, "cloudformation")
    assert "AWS::IAM::InstanceProfile" in cfn and ":parameter/app/prod/*" in cfn


def test_lambda_role_writes_to_the_named_table_only() -> None:
    code = _code("role letting lambda write to table orders", "terraform")
    assert 'Service = "lambda.amazonaws.com"' in _flat(code)
    assert ':table/orders"' in code and ':table/orders/index/*"' in code
    actions = set(_actions(code))
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem"} <= actions
    assert not actions & {"dynamodb:Scan", "dynamodb:GetItem", "dynamodb:DeleteTable"}
    assert 'resource "aws_iam_instance_profile"' not in code


def test_ssm_access_for_an_instance_is_the_agent_policy() -> None:
    code = _code("instance role for ec2 with ssm access", "terraform")
    assert "policy/AmazonSSMManagedInstanceCore" in code
    assert 'resource "aws_iam_role_policy"' not in code  # nothing else was asked for
    cfn = _code("instance role for ec2 with ssm access", "cloudformation")
    assert "AmazonSSMManagedInstanceCore" in cfn and "AWS::IAM::InstanceProfile" in cfn


def test_explicit_values_are_honoured() -> None:
    code = _code(REQUESTS[3], "terraform")
    assert ':::acme-raw"' in code and ':::acme-raw/*"' in code and ':jobs"' in code
    assert {"s3:GetObject", "s3:ListBucket", "sqs:SendMessage"} <= set(_actions(code))
    assert "s3:PutObject" not in code and "sqs:ReceiveMessage" not in code
    sfn = _code(REQUESTS[4], "terraform")
    assert 'Service = "states.amazonaws.com"' in _flat(sfn) and "aws:SourceAccount" in sfn
    assert ':alerts"' in sfn and ':secret:prod/api-key-??????"' in sfn
    shared = _code(REQUESTS[5], "terraform")
    assert 'AWS = "arn:aws:iam::123456789012:root"' in _flat(shared)
    assert {"s3:GetObject", "s3:PutObject"} <= set(_actions(shared))


def test_a_resource_without_a_name_becomes_a_variable_not_a_wildcard() -> None:
    code = _code("iam role for a lambda that can read a dynamodb table", "terraform")
    assert 'variable "iam_role_dynamodb_0_name"' in code
    assert ':table/${var.iam_role_dynamodb_0_name}"' in code


def test_the_tool_answers_the_request_with_the_role(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    result: GenerateIacResult = tool.run(iac_ctx, tool.parse({"request": SSM + ", tf"}))
    code = result.code[0].code
    assert result.passed, result.message
    assert "I did not apply" not in result.message
    assert 'resource "aws_iam_role"' in code and "/app/prod" in code
    # Not the one-bucket catalogue template: the role's grants go beyond a bucket.
    other = tool.run(
        iac_ctx, tool.parse({"request": "execution role for a lambda that can read the secret a/b"})
    )
    assert other.passed and ":secret:a/b-??????" in other.code[0].code


def test_the_cloudformation_role_carries_its_policy_inline() -> None:
    cfn = _code(REQUESTS[1], "cloudformation")
    assert "AssumeRolePolicyDocument:" in cfn and "PolicyName: least-privilege" in cfn
    assert "dynamodb:PutItem" in cfn and ":table/orders" in cfn
