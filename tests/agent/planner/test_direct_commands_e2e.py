"""A direct command end to end on moto: planned by the offline planner, guarded, dry-run,
approved by someone else, applied once and verified."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.messages import ChatMessage, Reply
from agent.runtime import Runtime
from agent.turn import Agent
from config import load_settings
from tests.conftest import REGIONS, reset_moto
from tools.inventory.aws import AwsClients

BUCKET = "acme-unversioned-logs"


@pytest.fixture
def agent(moto_endpoint: str, tmp_path: Path) -> Iterator[Agent]:
    reset_moto(moto_endpoint)
    settings = load_settings(
        data_dir=tmp_path / "data",
        aws={"mode": "sandbox", "endpoint_url": moto_endpoint, "regions": REGIONS},
        approvals={"rules": [{"actions": ["*"], "users": ["bob"]}]},
    )
    AwsClients(settings.aws).client("s3").create_bucket(Bucket=BUCKET)
    rt = Runtime.build(settings)
    yield Agent(rt)
    rt.close()


def say(agent: Agent, text: str) -> Reply:
    return agent.handle(ChatMessage(user="alice", channel="cli", thread="direct", text=text))


def test_enable_versioning_by_direct_command(agent: Agent) -> None:
    asked = say(agent, f"enable versioning on bucket {BUCKET}")
    assert [(c.name, c.args) for c in asked.tool_calls] == [
        ("remediate", {"action": "enable_bucket_versioning", "resource_id": BUCKET})
    ]
    assert asked.approval is not None and asked.approval.status == "pending"
    s3 = agent.rt.ctx.aws.client("s3")
    assert s3.get_bucket_versioning(Bucket=BUCKET).get("Status") is None
    done = agent.decide(asked.approval.id, "bob", approve=True)
    assert done.approval is not None and done.approval.status == "executed"
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"


def test_a_negated_command_changes_nothing(agent: Agent) -> None:
    reply = say(agent, f"don't enable versioning on bucket {BUCKET}")
    assert reply.tool_calls == [] and reply.approval is None
