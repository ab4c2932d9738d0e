"""A Lambda function with its own log group and a role that can only write to that log group.
A customer-managed key encrypts the log group and the function's environment; X-Ray traces it.

Shared by the templates that deploy a function (S3-triggered, scheduled). The code is a small
inline handler that logs its event: a placeholder to replace, deployed without a build step.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from tools.iac import yamlout
from tools.iac.catalogue.aws import (
    assume_role_document,
    cfn_tags,
    cmk_cfn,
    cmk_tf,
    data,
    policy_statement,
    resource,
)
from tools.iac.hcl import Block, Heredoc, interp, ref

Runtime = Literal["python3.12", "python3.13", "python3.14", "nodejs22.x", "nodejs24.x"]
DEFAULT_RUNTIME: Runtime = "python3.13"
LOG_RETENTION_DAYS = 30

PYTHON_HANDLER = """import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    # Replace with your logic. The event is logged so you can see what arrives.
    logger.info("event: %s", json.dumps(event))
    return {"ok": True}
"""

NODE_HANDLER = """exports.handler = async (event) => {
  // Replace with your logic. The event is logged so you can see what arrives.
  console.log(JSON.stringify(event));
  return { ok: true };
};
"""


def runtime_from_text(lower: str) -> Runtime | None:
    m = re.search(r"\bpython\s?3\.(12|13|14)\b", lower)
    if m:
        return {"12": "python3.12", "13": "python3.13", "14": "python3.14"}[m.group(1)]  # type: ignore[return-value]
    if re.search(r"\bnode(?:js)?\s?24\b", lower):
        return "nodejs24.x"
    # "node20", "nodejs18.x": an older Node.js than offered gets the oldest offered (and the
    # Lambda block says so).
    if re.search(r"\b(?:node(?:js)?(?:\s?\d{2}(?:\.x)?)?|javascript|typescript)\b", lower):
        return "nodejs22.x"
    if re.search(r"\bpython\b", lower):
        return DEFAULT_RUNTIME
    return None


def handler_source(runtime: Runtime) -> tuple[str, str, str]:
    """(file name, handler setting, code)."""
    if runtime.startswith("python"):
        return "index.py", "index.handler", PYTHON_HANDLER
    return "index.js", "index.handler", NODE_HANDLER


def lambda_tf(
    runtime: Runtime,
    memory_mb: int,
    timeout_s: int,
    extra_statements: list[Block],
    environment: dict[str, Any] | None = None,
) -> list[Block]:
    """Function `aws_lambda_function.this` named by var.function_name, with log group, role and
    the key `aws_kms_key.function` (other resources of the template may encrypt with it too)."""
    filename, handler, code = handler_source(runtime)
    statements = [
        policy_statement(
            "WriteOwnLogs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [interp("${aws_cloudwatch_log_group.this.arn}:*")],
        ),
        # X-Ray accepts no resource-level scoping for these two actions.
        policy_statement("Tracing", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]),
        policy_statement("UseFunctionKey", ["kms:Decrypt"], [ref("aws_kms_key.function.arn")]),
        *extra_statements,
    ]
    function: list[Any] = [
        ("function_name", ref("var.function_name")),
        ("role", ref("aws_iam_role.this.arn")),
        ("runtime", runtime),
        ("handler", handler),
        ("filename", ref("data.archive_file.code.output_path")),
        ("source_code_hash", ref("data.archive_file.code.output_base64sha256")),
        ("memory_size", memory_mb),
        ("timeout", timeout_s),
        ("architectures", ["arm64"]),
    ]
    if environment:
        function.append(Block("environment", body=[("variables", environment)]))
        function.append(("kms_key_arn", ref("aws_kms_key.function.arn")))
    function.append(Block("tracing_config", body=[("mode", "Active")]))
    function.append(
        Block(
            "logging_config",
            body=[("log_format", "JSON"), ("log_group", ref("aws_cloudwatch_log_group.this.name"))],
        )
    )
    function.append(("depends_on", [ref("aws_iam_role_policy.this")]))
    return [
        data(
            "archive_file",
            "code",
            ("type", "zip"),
            ("output_path", interp("${path.module}/build/${var.function_name}.zip")),
            Block("source", body=[("filename", filename), ("content", Heredoc(code))]),
        ),
        *cmk_tf("function", "Encrypts the function's logs, environment and data", logs=True),
        resource(
            "aws_cloudwatch_log_group",
            "this",
            ("name", interp("/aws/lambda/${var.function_name}")),
            ("retention_in_days", LOG_RETENTION_DAYS),
            ("kms_key_id", ref("aws_kms_key.function.arn")),
        ),
        assume_role_document("assume", "lambda.amazonaws.com"),
        data("aws_iam_policy_document", "permissions", *statements),
        resource(
            "aws_iam_role",
            "this",
            ("name", interp("${var.function_name}-role")),
            ("assume_role_policy", ref("data.aws_iam_policy_document.assume.json")),
        ),
        resource(
            "aws_iam_role_policy",
            "this",
            ("name", "least-privilege"),
            ("role", ref("aws_iam_role.this.id")),
            ("policy", ref("data.aws_iam_policy_document.permissions.json")),
        ),
        resource("aws_lambda_function", "this", *function),
    ]


def lambda_cfn(
    runtime: Runtime,
    memory_mb: int,
    timeout_s: int,
    extra_statements: list[dict[str, Any]],
    environment: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Resources `Function`, `FunctionRole`, `FunctionLogGroup`, `FunctionKey`; the name is the
    FunctionName parameter."""
    _, handler, code = handler_source(runtime)
    props: dict[str, Any] = {
        "FunctionName": yamlout.ref("FunctionName"),
        "Role": yamlout.get_att("FunctionRole", "Arn"),
        "Runtime": runtime,
        "Handler": handler,
        "Code": {"ZipFile": code},
        "MemorySize": memory_mb,
        "Timeout": timeout_s,
        "Architectures": ["arm64"],
        "LoggingConfig": {"LogFormat": "JSON", "LogGroup": yamlout.ref("FunctionLogGroup")},
        "TracingConfig": {"Mode": "Active"},
    }
    if environment:
        props["Environment"] = {"Variables": environment}
        props["KmsKeyArn"] = yamlout.get_att("FunctionKey", "Arn")
    props["Tags"] = cfn_tags(yamlout.ref("FunctionName"))
    return {
        "FunctionKey": cmk_cfn("Encrypts the function's logs, environment and data", logs=True),
        "FunctionLogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {
                "LogGroupName": yamlout.sub("/aws/lambda/${FunctionName}"),
                "RetentionInDays": LOG_RETENTION_DAYS,
                "KmsKeyId": yamlout.get_att("FunctionKey", "Arn"),
            },
        },
        "FunctionRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": "least-privilege",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Sid": "WriteOwnLogs",
                                    "Effect": "Allow",
                                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                    "Resource": yamlout.sub("${FunctionLogGroup.Arn}:*"),
                                },
                                {
                                    "Sid": "Tracing",
                                    "Effect": "Allow",
                                    "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                                    "Resource": "*",
                                },
                                {
                                    "Sid": "UseFunctionKey",
                                    "Effect": "Allow",
                                    "Action": ["kms:Decrypt"],
                                    "Resource": yamlout.get_att("FunctionKey", "Arn"),
                                },
                                *extra_statements,
                            ],
                        },
                    }
                ],
            },
        },
        "Function": {"Type": "AWS::Lambda::Function", "Properties": props},
    }
