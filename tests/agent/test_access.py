"""The access policy in the agent: refused tools are reported and audited, never run (nor dry
run), and a channel limited to some AWS accounts scans, lists and fixes only those."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.messages import ChatMessage, Reply
from agent.runtime import Runtime
from agent.turn import Agent
from config import Settings, load_settings
from sandbox.manifest import DEV_ACCOUNT, DEV_AUDIT_ROLE
from tests.agent.doubles import Echo, EchoInput, EchoResult, RecordingChange, ScriptedPlanner, call
from tests.conftest import REGIONS
from tools.base import ToolContext
from tools.inventory.aws import AwsClients


class Counted(Echo):
    """A read-only double under a real tool's name, counting its runs."""

    def __init__(self, name: str) -> None:
        self.name = name  # type: ignore[misc]
        self.runs = 0

    def run(self, ctx: ToolContext, args: EchoInput) -> EchoResult:
        self.runs += 1
        return EchoResult(message=f"{self.name} ran", text="")


TEAM_DATA_RULES: dict[str, Any] = {"rules": [{"channels": ["#team-data"], "tools": ["cost_query"]}]}


@pytest.fixture
def runtimes() -> Iterator[list[Runtime]]:
    built: list[Runtime] = []
    yield built
    for rt in built:
        rt.close()


def make_agent(runtimes: list[Runtime], settings: Settings, planner: Any, tools: list[Any]) -> Agent:
    rt = Runtime.build(settings, planner=planner, tools=tools)
    runtimes.append(rt)
    return Agent(rt)


def ask(agent: Agent, text: str, channel: str, user: str = "alice") -> Reply:
    return agent.handle(ChatMessage(user=user, channel=channel, thread="t", text=text))


def test_a_channel_limited_to_cost_query_cannot_scan(runtimes: list[Runtime], tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, access=TEAM_DATA_RULES)
    scan, cost = Counted("security_scan"), Counted("cost_query")
    planner = ScriptedPlanner([call("security_scan"), call("cost_query")])
    agent = make_agent(runtimes, settings, planner, [scan, cost])

    reply = ask(agent, "scan and tell me the costs", channel="team-data")
    assert scan.runs == 0 and cost.runs == 1
    assert not reply.ok
    assert "cost_query ran" in reply.text
    assert "Could not run security_scan: #team-data may not use security_scan (access policy)" in reply.text
    [record] = agent.audit(kind="access_refused")
    assert (record.kind, record.actor, record.subject) == ("access_refused", "alice", "security_scan")
    assert record.detail["channel"] == "team-data"
    # Audited at the real time, not the pinned tool clock.
    at = record.at if record.at.tzinfo else record.at.replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=5)

    # Another channel is not limited by #team-data's rule (the sandbox default is open).
    other = ask(agent, "scan and tell me the costs", channel="ops")
    assert other.ok and scan.runs == 1


def test_a_refused_mutating_tool_gets_no_dry_run(runtimes: list[Runtime], tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, access=TEAM_DATA_RULES)
    change = RecordingChange()
    agent = make_agent(runtimes, settings, ScriptedPlanner([call("change_thing", resource_id="x")]), [change])
    reply = ask(agent, "change x", channel="team-data")
    assert reply.approval is None and change.planned == 0
    assert "#team-data may not use change_thing (access policy)" in reply.text
    assert [r.kind for r in agent.audit() if r.kind != "question"] == ["access_refused"]
    assert agent.approvals() == []


def test_a_user_rule(runtimes: list[Runtime], tmp_path: Path) -> None:
    access = {"rules": [{"channels": ["ops"], "users": ["bob"]}, {"channels": ["ops"], "tools": ["echo"]}]}
    settings = load_settings(data_dir=tmp_path, access=access)
    scan = Counted("security_scan")
    agent = make_agent(runtimes, settings, ScriptedPlanner([call("security_scan")]), [scan, Echo()])
    assert ask(agent, "scan", channel="ops", user="bob").ok and scan.runs == 1
    refused = ask(agent, "scan", channel="ops", user="alice")
    assert scan.runs == 1
    assert "alice in #ops may not use security_scan (access policy)" in refused.text


def test_real_aws_without_rules_refuses_everything(runtimes: list[Runtime], tmp_path: Path) -> None:
    real = {"mode": "real", "regions": ["us-east-1"]}
    echo = Counted("echo")
    settings = load_settings(data_dir=tmp_path / "a", aws=real)
    reply = ask(make_agent(runtimes, settings, ScriptedPlanner([call("echo")]), [echo]), "hi", channel="C1")
    assert echo.runs == 0 and "no access rule covers #C1" in reply.text
    # Rules open what they name.
    settings = load_settings(data_dir=tmp_path / "b", aws=real, access={"rules": [{"channels": ["C1"]}]})
    assert ask(make_agent(runtimes, settings, ScriptedPlanner([call("echo")]), [echo]), "hi", channel="C1").ok
    assert echo.runs == 1


# --- two accounts (moto): the caller's own and the dev member account -------------------------


def open_ssh_group(aws: AwsClients, name: str) -> str:
    ec2 = aws.client("ec2", "us-east-1")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    return str(group)


@pytest.fixture
def two_accounts(fresh_moto: str, tmp_path: Path) -> Iterator[Agent]:
    settings = load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15T09:00:00",
        aws={
            "mode": "sandbox",
            "endpoint_url": fresh_moto,
            "regions": REGIONS,
            "assume_role_arns": [DEV_AUDIT_ROLE],
        },
        access={
            "rules": [
                {
                    "channels": ["team-dev"],
                    "tools": ["security_scan", "list_findings", "savings_opportunities", "remediate"],
                    "accounts": [DEV_ACCOUNT],
                }
            ]
        },
    )
    rt = Runtime.build(settings)
    yield Agent(rt)
    rt.close()


def test_a_channel_limited_to_one_account_scans_lists_and_fixes_only_it(two_accounts: Agent) -> None:
    agent = two_accounts
    ctx = agent.rt.ctx
    own = ctx.aws.client("sts").get_caller_identity()["Account"]
    own_group = open_ssh_group(ctx.aws, "own-jump")
    dev_group = open_ssh_group(ctx.aws.as_role(DEV_AUDIT_ROLE), "dev-jump")

    scan = ask(agent, "scan ec2 for security issues", channel="team-dev")
    assert isinstance(scan.data, dict), scan.text
    assert scan.data["accounts"] == [DEV_ACCOUNT]
    assert {f["account"] for f in scan.data["findings"]} == {DEV_ACCOUNT}
    assert dev_group in {f["resource_id"] for f in scan.data["findings"]}

    # An open channel scans both accounts; team-dev's list still shows only its own.
    both = ask(agent, "scan ec2 for security issues", channel="ops")
    assert isinstance(both.data, dict) and both.data["accounts"] == [own, DEV_ACCOUNT]
    assert own_group in {f["resource_id"] for f in both.data["findings"]}
    listed = ask(agent, "list open findings for ec2", channel="team-dev")
    assert isinstance(listed.data, dict) and listed.data["findings"], listed.text
    assert {f["account"] for f in listed.data["findings"]} == {DEV_ACCOUNT}
    everything = ask(agent, "list open findings for ec2", channel="ops")
    assert isinstance(everything.data, dict)
    assert {f["account"] for f in everything.data["findings"]} == {own, DEV_ACCOUNT}

    # A fix from team-dev names the member account (its own is not the caller's here).
    [finding] = [f for f in scan.data["findings"] if f["resource_id"] == dev_group]
    fix = ask(agent, f"fix finding {finding['id']}", channel="team-dev")
    assert [(c.name, c.args.get("account")) for c in fix.tool_calls] == [("remediate", DEV_ACCOUNT)]
    assert fix.approval is not None, fix.text

    # An explicit change in the caller's own account is refused before any approval is requested.
    refused = ask(agent, f"close port 22 to the world on {own_group}", channel="team-dev")
    assert refused.approval is None
    assert f"Account {own} is not allowed here (access policy)" in refused.text


def test_savings_limited_to_one_account(two_accounts: Agent) -> None:
    dev = two_accounts.rt.ctx.aws.as_role(DEV_AUDIT_ROLE)
    dev.client("ec2", "eu-west-1").create_volume(AvailabilityZone="eu-west-1a", Size=200, VolumeType="gp3")
    own = two_accounts.rt.ctx.aws.client("ec2", "eu-west-1")
    own.create_volume(AvailabilityZone="eu-west-1a", Size=100, VolumeType="gp3")
    reply = ask(two_accounts, "where can we save money?", channel="team-dev")
    assert isinstance(reply.data, dict), reply.text
    assert reply.data["accounts"] == [DEV_ACCOUNT] and reply.data["account"] == ""
    assert {f["account"] for f in reply.data["findings"]} == {DEV_ACCOUNT}
