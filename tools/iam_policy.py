"""Least-privilege IAM policies derived from the tools' declared permissions.

Every tool declares the IAM actions it calls (`Tool.permissions`; the remediation tool's are the
union of its actions' write calls and the reads that plan and verify them). This module turns
those declarations into IAM policy documents, so the policy a deployment grants is exactly what
the registered code can call and changes with it:

- `read-only`: the actions of the read-only tools (scans, inventory, costs, savings). Only read
  verbs (Describe, Get, List, …): a write verb declared by a read-only tool is a bug and raises.
- `remediation`: the actions of the mutating tools that call AWS (the remediation actions' write
  calls and the reads that plan and verify them), for a separate, narrowly used role.
- `all`: both, in one document.

Permissions in the `cloudpilot:` namespace (suppressing a finding) are CloudPilot's own, enforced
by its approvals, not IAM actions, and are left out. Resources are "*": the tools work on
resources they discover, so the actions are the unit of least privilege; the role ARNs the hub
assumes and the billing buckets it reads are the exceptions, each scoped to its ARNs.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from tools.base import AnyTool

PolicyMode = Literal["all", "read-only", "remediation"]

IAM_VERSION = "2012-10-17"
# CloudPilot's own permissions (not IAM actions): enforced by approvals, left out of IAM policies.
INTERNAL_PREFIX = "cloudpilot:"
# Verbs that only read. Anything else (Create, Delete, Modify, Put, Update, Revoke, Stop, …)
# changes the account.
READ_VERBS = ("Describe", "Get", "List", "BatchGet", "Lookup", "Search", "View", "Query")
# Services whose IAM actions are HTTP methods (API Gateway's management API): these only read.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A managed policy may hold at most 6,144 characters, whitespace not counted.
MANAGED_POLICY_LIMIT = 6144

_ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class PolicyError(ValueError):
    """A declared permission or an option cannot make a valid policy."""


def is_aws_action(permission: str) -> bool:
    return not permission.startswith(INTERNAL_PREFIX)


def is_read_action(action: str) -> bool:
    _, _, verb = action.partition(":")
    return verb in READ_METHODS or verb.startswith(READ_VERBS)


def declared_actions(tools: Iterable[AnyTool], *, mutating: bool | None = None) -> list[str]:
    """The IAM actions the tools declare (all tools, or only the mutating / read-only ones)."""
    out: set[str] = set()
    for tool in tools:
        if mutating is not None and tool.mutating != mutating:
            continue
        for permission in tool.permissions:
            if not is_aws_action(permission):
                continue
            if not _ACTION.match(permission):
                raise PolicyError(
                    f"tool {tool.name}: '{permission}' is not an IAM action like ec2:DescribeVpcs"
                )
            out.add(permission)
    return sorted(out)


def build_policy(
    tools: Sequence[AnyTool],
    mode: PolicyMode = "all",
    *,
    assume_role_arns: Sequence[str] = (),
    remediation_role_arns: Sequence[str] = (),
    billing_buckets: Sequence[str] = (),
) -> dict[str, Any]:
    """The IAM policy document for `mode`.

    `assume_role_arns` / `remediation_role_arns` (the member-account roles of `aws.*`) add
    `sts:AssumeRole` on exactly those roles, to the read-only and the remediation part; a
    member account's own role gets the policy without them. `billing_buckets` add read access
    to billing exports kept in S3 (`cloudpilot cost ingest s3://…`)."""
    statements: list[dict[str, Any]] = []
    reads = declared_actions(tools, mutating=False)
    writes = [a for a in reads if not is_read_action(a)]
    if writes:
        raise PolicyError(f"read-only tools declare write actions: {', '.join(writes)}")
    changes = declared_actions(tools, mutating=True)
    if mode == "all":
        statements += _by_service("Read", sorted({*reads, *filter(is_read_action, changes)}))
    elif mode == "read-only":
        statements += _by_service("Read", reads)
    else:
        statements += _by_service("CheckBeforeChange", [a for a in changes if is_read_action(a)])
    if mode in ("all", "remediation"):
        # One statement for every write: a statement per service costs ~60 characters of the
        # 6,144 a managed policy may hold.
        edits = sorted(a for a in changes if not is_read_action(a))
        if edits:
            statements.append({"Sid": "Change", "Effect": "Allow", "Action": edits, "Resource": "*"})
    if mode in ("all", "read-only"):
        statements += _assume("AssumeMemberAuditRoles", assume_role_arns)
        statements += _buckets(billing_buckets)
    if mode in ("all", "remediation"):
        statements += _assume("AssumeMemberRemediationRoles", remediation_role_arns)
    return {"Version": IAM_VERSION, "Statement": statements}


def policy_json(policy: dict[str, Any], *, compact: bool = False) -> str:
    if compact:
        return json.dumps(policy, separators=(",", ":"))
    return json.dumps(policy, indent=2)


def policy_size(policy: dict[str, Any]) -> int:
    """Characters IAM counts against its size limits (whitespace excluded)."""
    return len(re.sub(r"\s", "", policy_json(policy, compact=True)))


def _by_service(prefix: str, actions: Iterable[str]) -> list[dict[str, Any]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for action in actions:
        grouped[action.split(":", 1)[0]].append(action)
    return [
        {
            "Sid": prefix + "".join(part.capitalize() for part in service.split("-")),
            "Effect": "Allow",
            "Action": sorted(grouped[service]),
            "Resource": "*",
        }
        for service in sorted(grouped)
    ]


def _assume(sid: str, arns: Sequence[str]) -> list[dict[str, Any]]:
    if not arns:
        return []
    bad = [a for a in arns if not _ROLE_ARN.match(a)]
    if bad:
        raise PolicyError(f"not an IAM role ARN: {', '.join(bad)}")
    return [{"Sid": sid, "Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": sorted(set(arns))}]


def _buckets(buckets: Sequence[str]) -> list[dict[str, Any]]:
    if not buckets:
        return []
    names = sorted({b.removeprefix("s3://").split("/", 1)[0] for b in buckets})
    bad = [n for n in names if not _BUCKET.match(n)]
    if bad:
        raise PolicyError(f"not an S3 bucket name: {', '.join(bad)}")
    return [
        {
            "Sid": "ListBillingExports",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::{n}" for n in names],
        },
        {
            "Sid": "ReadBillingExports",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{n}/*" for n in names],
        },
    ]


MEMBER_ROLES = {"read-only": "CloudPilotAudit", "remediation": "CloudPilotRemediation"}


def member_roles_template(tools: Sequence[AnyTool], *, remediation: bool = True) -> dict[str, Any]:
    """A CloudFormation template (for a StackSet over the member accounts) with CloudPilot's roles:
    `CloudPilotAudit` with the read-only policy and, unless `remediation` is False,
    `CloudPilotRemediation` with the remediation policy. Both trust only the hub role given as a
    parameter (the role CloudPilot runs as; it assumes them without an external id)."""
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    modes: list[PolicyMode] = ["read-only", "remediation"] if remediation else ["read-only"]
    for mode in modes:
        name = MEMBER_ROLES[mode]
        resources[name] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": name,
                "Description": f"CloudPilot {mode} access (cloudpilot iam-policy --{mode})",
                "MaxSessionDuration": 3600,
                "AssumeRolePolicyDocument": {
                    "Version": IAM_VERSION,
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": {"Ref": "HubRoleArn"}},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [{"PolicyName": f"{name}Policy", "PolicyDocument": build_policy(tools, mode)}],
            },
        }
        outputs[f"{name}Arn"] = {"Value": {"Fn::GetAtt": [name, "Arn"]}}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "CloudPilot member-account roles (`cloudpilot iam-policy --cloudformation`).",
        "Parameters": {
            "HubRoleArn": {
                "Type": "String",
                "AllowedPattern": _ROLE_ARN.pattern,
                "Description": "The role CloudPilot runs as in the hub account",
            },
        },
        "Resources": resources,
        "Outputs": outputs,
    }
