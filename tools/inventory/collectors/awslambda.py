"""Lambda functions.

lambda_function attributes: runtime, handler, role, vpc_id, subnet_ids, secret_env_vars (names of
environment variables whose name or value looks like a credential; the values are never kept),
kms_key_arn (the CMK encrypting the environment, None for the AWS-owned key), url_auth_type
("NONE", "AWS_IAM"; None without a function URL), url_cors_origins (the URL's allowed origins),
policy (the resource-based policy, parsed; None without one), tracing ("Active"/"PassThrough"),
last_modified.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource

# Variable names that hold credentials, and values shaped like well-known credentials.
_SECRET_NAME = re.compile(r"(secret|password|passwd|pwd|token|api_?key|private_?key|credential)", re.I)
_SECRET_VALUE = re.compile(
    r"(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|xox[baprs]-[0-9A-Za-z-]{10,}|ghp_[0-9A-Za-z]{36})"
)
# A value that names where a secret lives rather than holding it is fine.
_REFERENCE = re.compile(r"^(arn:aws[a-z-]*:(secretsmanager|ssm|kms):|/|\{\{resolve:)")


def secret_env_vars(variables: dict[str, str]) -> list[str]:
    out = []
    for name, value in variables.items():
        text = str(value)
        if _SECRET_VALUE.search(text) or (_SECRET_NAME.search(name) and text and not _REFERENCE.match(text)):
            out.append(name)
    return sorted(out)


def _optional(call: Any, **kwargs: Any) -> dict[str, Any] | None:
    try:
        return dict(call(**kwargs))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("ResourceNotFoundException", "404"):
            return None
        raise


def _function(lam: Any, fn: dict[str, Any], region: str) -> Resource:
    name = fn["FunctionName"]
    url = _optional(lam.get_function_url_config, FunctionName=name)
    policy = _optional(lam.get_policy, FunctionName=name)
    vpc = fn.get("VpcConfig") or {}
    variables = (fn.get("Environment") or {}).get("Variables") or {}
    return Resource(
        type="lambda_function",
        id=name,
        name=name,
        region=region,
        arn=fn.get("FunctionArn"),
        attributes={
            "runtime": fn.get("Runtime"),
            "handler": fn.get("Handler"),
            "role": fn.get("Role"),
            "vpc_id": vpc.get("VpcId") or None,
            "subnet_ids": list(vpc.get("SubnetIds") or []),
            "secret_env_vars": secret_env_vars(variables),
            "kms_key_arn": fn.get("KMSKeyArn"),
            "url_auth_type": url.get("AuthType") if url else None,
            "url_cors_origins": list(((url or {}).get("Cors") or {}).get("AllowOrigins") or []),
            "policy": json.loads(policy["Policy"]) if policy and policy.get("Policy") else None,
            "tracing": (fn.get("TracingConfig") or {}).get("Mode"),
            "last_modified": fn.get("LastModified"),
        },
    )


def collect_functions(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    lam = aws.client("lambda", region)
    functions: list[dict[str, Any]] = []
    for page in lam.get_paginator("list_functions").paginate():
        functions.extend(page["Functions"])
    if lookup:
        functions = [f for f in functions if lookup in (f["FunctionName"], f.get("FunctionArn"))]
    return [_function(lam, f, region) for f in functions]
