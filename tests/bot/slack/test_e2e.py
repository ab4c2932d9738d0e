"""End to end: Slack requests -> the real tool registry and offline planner -> sandbox AWS (moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.runtime import Runtime
from agent.turn import Agent
from bot.slack.app import SlackApp, build_slack_app
from bot.slack.http import SlackHttpServer
from config import load_settings
from tests.agent.doubles import RecordingChange
from tests.bot.slack.conftest import ALICE, BOB, FIXED_NOW, SECRET, Harness
from tests.bot.slack.doubles import ContextPlanner
from tests.bot.slack.fake_slack import FakeSlack
from tests.services import need, redis_url
from tools.inventory.aws import AwsClients

pytestmark = pytest.mark.redis


@pytest.fixture
def e2e(tmp_path: Path, fresh_moto: str, fake_slack: FakeSlack, namespace: str) -> Iterator[Harness]:
    need("redis")  # also for the capability tests that borrow this fixture
    settings = load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15",
        redis_url=redis_url(),
        aws={"mode": "sandbox", "endpoint_url": fresh_moto, "regions": ["us-east-1", "eu-west-1"]},
        slack={"bot_token": "xoxb-e2e", "signing_secret": SECRET, "api_url": fake_slack.api_url},
        approvals={"rules": [{"actions": ["*"], "users": [BOB]}]},
    )
    runtime = Runtime.build(settings)  # the real registry and planner
    agent = Agent(runtime)
    slack: SlackApp = build_slack_app(settings, agent, namespace=namespace, now=lambda: FIXED_NOW)
    server = SlackHttpServer(slack.app, SECRET, "127.0.0.1", 0)
    server.start()
    # The harness's planner/change fields are unused here: the real ones run.
    yield Harness(
        fake_slack, slack, server, runtime.approvals.approvals, agent, ContextPlanner(), RecordingChange()
    )
    server.stop()
    slack.close()
    runtime.close()


def _answers(h: Harness) -> list[str]:
    return [c.args["text"] for c in h.fake.of("chat.update")]


def test_cost_question_and_follow_up_in_a_thread(e2e: Harness) -> None:
    _, root = e2e.mention("how much did we spend on EC2 last month?")
    e2e.settle()
    e2e.message("and on S3?", thread_ts=root)
    e2e.settle()
    first, second = _answers(e2e)
    assert "Elastic Compute Cloud" in first and "September 2024" in first and "$" in first
    assert "Simple Storage Service" in second and "September 2024" in second, second
    blocks = e2e.fake.of("chat.update")[0].args["blocks"]
    assert any("```" in json.dumps(b) for b in blocks), "the cost table is rendered"


def _open_ssh_group(aws: AwsClients) -> tuple[str, str]:
    """One security group open to the world on SSH (seeding the whole sandbox takes seconds)."""
    region = "us-east-1"
    ec2 = aws.client("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    group_id = ec2.create_security_group(GroupName="bastion", Description="bastion", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ],
    )
    return group_id, region


def _ssh_open(aws: AwsClients, group_id: str, region: str) -> bool:
    sg = aws.client("ec2", region).describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return any(
        p.get("FromPort") == 22 and any(r["CidrIp"] == "0.0.0.0/0" for r in p.get("IpRanges", []))
        for p in sg["IpPermissions"]
    )


def test_remediation_approved_from_slack(e2e: Harness) -> None:
    aws = e2e.agent.rt.ctx.aws
    group_id, region = _open_ssh_group(aws)
    e2e.mention(f"close port 22 to the world on {group_id}")
    e2e.settle()
    approval_id, message_ts, posted = e2e.approval_message()
    assert group_id in posted["text"] and _ssh_open(aws, group_id, region)

    e2e.click(approval_id, user=ALICE, message_ts=message_ts)  # the requester
    e2e.settle()
    assert _ssh_open(aws, group_id, region)
    e2e.click(approval_id, user=BOB, message_ts=message_ts)
    e2e.click(approval_id, user=BOB, message_ts=message_ts)  # double click
    e2e.settle()
    assert not _ssh_open(aws, group_id, region)
    updates = [c.args for c in e2e.fake.of("chat.update") if c.args["ts"] == message_ts]
    assert len(updates) == 1 and "Approved and applied" in updates[0]["text"]
    kinds = [r.kind for r in e2e.agent.audit(approval_id)]
    assert kinds == ["request", "refused", "decision", "executing", "execution", "verification"]
