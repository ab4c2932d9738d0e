"""Fixing a finding in a member account: the scan reaches it through an assumed role, "fix it"
names the account, and the approved change is made (and verified) there, not in the caller's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.messages import ChatMessage, Reply
from agent.runtime import Runtime
from agent.turn import Agent
from config import load_settings
from sandbox.manifest import DEV_ACCOUNT, DEV_AUDIT_ROLE
from tests.conftest import REGIONS
from tools.base import ToolContext, UserFacingError
from tools.inventory.aws import AwsClients
from tools.remediation.accounts import in_account, remediation_role
from tools.remediation.remediate import Remediate

OPS_ROLE = f"arn:aws:iam::{DEV_ACCOUNT}:role/CloudPilotRemediation"


def open_ssh_group(aws: AwsClients) -> str:
    ec2 = aws.client("ec2", "us-east-1")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="dev-jump", Description="jump host", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    return str(group)


def ssh_open(aws: AwsClients, group: str) -> bool:
    perms = aws.client("ec2", "us-east-1").describe_security_groups(GroupIds=[group])["SecurityGroups"][0]
    return any(p.get("FromPort") == 22 for p in perms["IpPermissions"])


@pytest.fixture
def agent(fresh_moto: str, tmp_path: Path) -> Iterator[Agent]:
    settings = load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15T09:00:00",
        aws={
            "mode": "sandbox",
            "endpoint_url": fresh_moto,
            "regions": REGIONS,
            "assume_role_arns": [DEV_AUDIT_ROLE],
            "remediation_role_arns": [OPS_ROLE],
        },
        approvals={"rules": [{"actions": ["*"], "users": ["bob"]}]},
    )
    rt = Runtime.build(settings)
    yield Agent(rt)
    rt.close()


def say(agent: Agent, text: str) -> Reply:
    return agent.handle(ChatMessage(user="alice", channel="cli", thread="member", text=text))


def test_fix_in_a_member_account_goes_through_its_remediation_role(agent: Agent) -> None:
    ctx = agent.rt.ctx
    dev = ctx.aws.as_role(DEV_AUDIT_ROLE)
    group = open_ssh_group(dev)
    scan = say(agent, "scan ec2 for security issues")
    assert isinstance(scan.data, dict)
    ours = [f for f in scan.data["findings"] if f["resource_id"] == group]
    assert [(f["account"], f["rule_id"]) for f in ours] == [(DEV_ACCOUNT, "ec2-sg-open-admin-ports")]

    fix = say(agent, f"fix finding {ours[0]['id']}")
    assert [(c.name, c.args.get("account")) for c in fix.tool_calls] == [("remediate", DEV_ACCOUNT)]
    assert fix.approval is not None and f"account {DEV_ACCOUNT}" in fix.approval.plan["summary"]
    assert fix.approval.plan["account"] == DEV_ACCOUNT
    assert ssh_open(dev, group), "nothing changes before the approval"

    done = agent.decide(fix.approval.id, "bob", approve=True)
    assert done.ok, done.text
    assert "ec2-sg-open-admin-ports now passes" in done.text
    assert not ssh_open(dev, group)
    # For changes, the account's remediation role is preferred over its (read-only) scan role.
    assert remediation_role(ctx, DEV_ACCOUNT) == OPS_ROLE


def test_own_account_and_unknown_accounts(agent: Agent) -> None:
    ctx: ToolContext = agent.rt.ctx
    own = ctx.aws.client("sts").get_caller_identity()["Account"]
    assert in_account(ctx, own) is ctx and in_account(ctx, None) is ctx
    member = in_account(ctx, DEV_ACCOUNT)
    assert member.aws.client("sts").get_caller_identity()["Account"] == DEV_ACCOUNT
    tool = Remediate()
    args = tool.parse({"action": "revoke_ingress", "resource_id": "sg-12345678", "account": "999999999999"})
    with pytest.raises(UserFacingError, match="Account 999999999999 is not one CloudPilot can change"):
        tool.plan(ctx, args)
    with pytest.raises(ValueError):
        tool.parse({"action": "revoke_ingress", "resource_id": "sg-1", "account": "dev"})


def test_savings_cover_member_accounts_and_fix_there(agent: Agent) -> None:
    dev = agent.rt.ctx.aws.as_role(DEV_AUDIT_ROLE)
    ec2 = dev.client("ec2", "eu-west-1")
    volume = ec2.create_volume(AvailabilityZone="eu-west-1a", Size=200, VolumeType="gp3", Encrypted=True)
    ask = say(agent, "where can we save money?")
    assert isinstance(ask.data, dict)
    own = agent.rt.ctx.aws.client("sts").get_caller_identity()["Account"]
    assert ask.data["accounts"] == [own, DEV_ACCOUNT]
    assert [(f["kind"], f["account"], f["resource_id"]) for f in ask.data["findings"]] == [
        ("unattached_volume", DEV_ACCOUNT, volume["VolumeId"])
    ]
    assert ask.tables[0].columns[2] == "Account"

    fix = say(agent, "fix it")
    assert [(c.name, c.args.get("account")) for c in fix.tool_calls] == [("remediate", DEV_ACCOUNT)]
    assert fix.approval is not None
    done = agent.decide(fix.approval.id, "bob", approve=True)
    assert done.ok, done.text
    left = ec2.describe_volumes(Filters=[{"Name": "volume-id", "Values": [volume["VolumeId"]]}])["Volumes"]
    assert left == []
