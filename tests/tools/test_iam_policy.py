"""`cloudpilot iam-policy`: valid IAM JSON, every declared permission covered, read-only without
writes, and every action one IAM knows (checked by cfn-lint against its IAM action database)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

import pytest
from cfnlint.api import lint
from click.testing import CliRunner

from bot.main import cli
from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult
from tools.iam_policy import (
    MANAGED_POLICY_LIMIT,
    PolicyError,
    build_policy,
    is_aws_action,
    member_roles_template,
    policy_size,
)
from tools.registry import TOOLS

# Verbs that change an account; a read-only policy must hold none of them.
WRITE_VERBS = re.compile(
    r"^(Create|Delete|Put|Update|Modify|Revoke|Authorize|Stop|Start|Terminate|Release|Enable|Disable|"
    r"Attach|Detach|Associate|Disassociate|Tag|Untag|Set|Reset|Restore|Copy|Run|Reboot|Deactivate|"
    r"Remove|Add|Replace|Cancel|Import|Export|Register|Deregister|Allocate|Upload|Schedule|"
    r"POST$|PUT$|PATCH$|DELETE$)"
)


def cli_policy(tmp_path: Path, *flags: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli,
        ["iam-policy", *flags],
        env={"CLOUDPILOT_DATA_DIR": str(tmp_path), **(env or {})},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.output)
    return document


def actions(policy: dict[str, Any]) -> set[str]:
    return {a for s in policy["Statement"] for a in s["Action"]}


def assert_valid_iam(policy: dict[str, Any]) -> None:
    assert set(policy) == {"Version", "Statement"}
    assert policy["Version"] == "2012-10-17"
    assert isinstance(policy["Statement"], list) and policy["Statement"]
    sids = [s["Sid"] for s in policy["Statement"]]
    assert len(sids) == len(set(sids)), "Sids must be unique"
    for statement in policy["Statement"]:
        assert set(statement) == {"Sid", "Effect", "Action", "Resource"}
        assert re.fullmatch(r"[A-Za-z0-9]+", statement["Sid"])
        assert statement["Effect"] == "Allow"
        assert statement["Action"] and all(
            re.fullmatch(r"[a-z0-9-]+:[A-Z][A-Za-z0-9]+", a) for a in statement["Action"]
        )
        resource = statement["Resource"]
        assert resource == "*" or (
            isinstance(resource, list) and all(r.startswith("arn:aws") for r in resource)
        )
    assert policy_size(policy) <= MANAGED_POLICY_LIMIT


def declared(*, mutating: bool | None = None) -> set[str]:
    return {
        p
        for t in TOOLS
        if mutating is None or t.mutating == mutating
        for p in t.permissions
        if is_aws_action(p)
    }


@pytest.mark.parametrize("flags", [(), ("--read-only",), ("--remediation",)])
def test_output_is_valid_iam_json(tmp_path: Path, flags: tuple[str, ...]) -> None:
    assert_valid_iam(cli_policy(tmp_path, *flags))


def test_covers_every_permission_every_registered_tool_declares(tmp_path: Path) -> None:
    everything = actions(cli_policy(tmp_path))
    for tool in TOOLS:
        missing = {p for p in tool.permissions if is_aws_action(p)} - everything
        assert not missing, f"{tool.name}: {sorted(missing)}"
    assert declared() == everything  # and nothing more
    assert declared(mutating=False) <= actions(cli_policy(tmp_path, "--read-only"))
    assert declared(mutating=True) == actions(cli_policy(tmp_path, "--remediation"))
    # The registry's own permissions: there is something to cover.
    assert {
        "ec2:DescribeSecurityGroups",
        "ec2:RevokeSecurityGroupIngress",
        "ce:GetCostAndUsage",
    } <= everything


def test_read_only_excludes_mutating_actions(tmp_path: Path) -> None:
    read_only = actions(cli_policy(tmp_path, "--read-only"))
    writes = {a for a in declared(mutating=True) if WRITE_VERBS.match(a.split(":", 1)[1])}
    assert writes, "remediation declares write actions"
    assert not read_only & writes
    assert not [a for a in read_only if WRITE_VERBS.match(a.split(":", 1)[1])]
    remediation = actions(cli_policy(tmp_path, "--remediation"))
    assert writes <= remediation
    # CloudPilot's own permissions (suppressing a finding) are not IAM actions.
    assert not [a for a in actions(cli_policy(tmp_path)) if a.startswith("cloudpilot:")]


def test_member_roles_from_the_settings_are_the_only_assumable_ones(tmp_path: Path) -> None:
    audit = "arn:aws:iam::111122223333:role/CloudPilotAudit"
    fix = "arn:aws:iam::111122223333:role/CloudPilotRemediation"
    env = {
        "CLOUDPILOT_AWS__ASSUME_ROLE_ARNS": json.dumps([audit]),
        "CLOUDPILOT_AWS__REMEDIATION_ROLE_ARNS": json.dumps([fix]),
    }
    read_only = cli_policy(tmp_path, "--read-only", "--billing-bucket", "s3://cur-exports/focus", env=env)
    assert_valid_iam(read_only)
    by_sid = {s["Sid"]: s for s in read_only["Statement"]}
    assert by_sid["AssumeMemberAuditRoles"] == {
        "Sid": "AssumeMemberAuditRoles",
        "Effect": "Allow",
        "Action": ["sts:AssumeRole"],
        "Resource": [audit],
    }
    assert by_sid["ReadBillingExports"]["Resource"] == ["arn:aws:s3:::cur-exports/*"]
    assert "AssumeMemberRemediationRoles" not in by_sid
    remediation = {s["Sid"]: s for s in cli_policy(tmp_path, "--remediation", env=env)["Statement"]}
    assert remediation["AssumeMemberRemediationRoles"]["Resource"] == [fix]
    assert all(
        s["Resource"] == "*" for sid, s in by_sid.items() if sid.startswith("Read") and "Billing" not in sid
    )


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"CLOUDPILOT_DATA_DIR": str(tmp_path)}
    both = runner.invoke(cli, ["iam-policy", "--read-only", "--remediation"], env=env)
    assert both.exit_code == 2 and "exclude each other" in both.output
    bad_bucket = runner.invoke(cli, ["iam-policy", "--billing-bucket", "Not A Bucket"], env=env)
    assert bad_bucket.exit_code == 2 and "not an S3 bucket name" in bad_bucket.output
    bad_arn = runner.invoke(
        cli, ["iam-policy"], env={**env, "CLOUDPILOT_AWS__ASSUME_ROLE_ARNS": '["arn:aws:iam::1:user/x"]'}
    )
    assert bad_arn.exit_code == 2 and "not an IAM role ARN" in bad_arn.output


def _lint(template: dict[str, Any]) -> list[str]:
    return [f"{m.rule.id} {m.message}" for m in lint(json.dumps(template), regions=["us-east-1"])]


@pytest.mark.parametrize("mode", ["all", "read-only", "remediation"])
def test_every_action_is_one_iam_knows(mode: str) -> None:
    """cfn-lint checks each action against its copy of the IAM action list (rule W3037), so a
    misspelt or invented permission in a tool fails here."""
    policy = build_policy(TOOLS, mode, assume_role_arns=["arn:aws:iam::111122223333:role/A"])  # type: ignore[arg-type]
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Policy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": policy},
            }
        },
    }
    assert _lint(template) == []
    broken = json.loads(json.dumps(template).replace("ec2:DescribeInstances", "ec2:DescribeInstancez"))
    if "ec2:DescribeInstances" in actions(policy):
        assert any(line.startswith("W3037") for line in _lint(broken))


def test_cloudformation_member_roles_template_lints_clean(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["iam-policy", "--cloudformation"], env={"CLOUDPILOT_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 0, result.output
    template = json.loads(result.output)
    assert _lint(template) == []
    roles = template["Resources"]
    assert set(roles) == {"CloudPilotAudit", "CloudPilotRemediation"}
    audit_policy = roles["CloudPilotAudit"]["Properties"]["Policies"][0]["PolicyDocument"]
    assert actions(audit_policy) == actions(build_policy(TOOLS, "read-only"))
    trust = roles["CloudPilotAudit"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"AWS": {"Ref": "HubRoleArn"}} and trust["Action"] == "sts:AssumeRole"
    assert set(member_roles_template(TOOLS, remediation=False)["Resources"]) == {"CloudPilotAudit"}


class _Sneaky(ReadOnlyTool[ToolInput, ToolResult]):
    name: ClassVar[str] = "sneaky"
    description: ClassVar[str] = "a read-only tool that declares a write"
    input_model: ClassVar[type[ToolInput]] = ToolInput
    result_model: ClassVar[type[ToolResult]] = ToolResult
    permissions: ClassVar[tuple[str, ...]] = ("ec2:DescribeVpcs", "ec2:DeleteVpc")

    def run(self, ctx: ToolContext, args: ToolInput) -> ToolResult:
        raise NotImplementedError


def test_a_read_only_tool_declaring_a_write_is_refused() -> None:
    with pytest.raises(PolicyError, match="ec2:DeleteVpc"):
        build_policy([_Sneaky()], "read-only")


def test_docs_aws_snippets_parse_and_name_the_commands() -> None:
    import hcl2

    docs = (Path(__file__).resolve().parents[2] / "docs" / "AWS.md").read_text()
    [hcl] = re.findall(r"```hcl\n(.*?)```", docs, re.S)
    parsed = hcl2.loads(hcl)
    names = {name.strip('"') for block in parsed["resource"] for kind in block.values() for name in kind}
    assert {"cloudpilot", "cloudpilot_readonly", "cloudpilot_audit", "cloudpilot_remediation"} <= names
    for flags in ("--read-only", "--remediation", "--cloudformation"):
        assert f"cloudpilot iam-policy {flags}" in docs
