"""The issue's two requests end to end: a chat message through the agent (offline planner, the
real tool) to a reply carrying validated code, and that reply as the Slack front-end renders it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.messages import ChatMessage, Reply
from agent.planner import OfflinePlanner
from agent.runtime import Runtime
from agent.turn import Agent
from bot.slack.render import render_reply
from config import load_settings
from tools.iac.checks import IacEnv
from tools.iac.generate_iac import GenerateIac


@pytest.fixture
def agent(tmp_path: Path, iac_env: IacEnv) -> Iterator[Agent]:
    settings = load_settings(data_dir=tmp_path / "data", now="2024-10-15")
    runtime = Runtime.build(settings, planner=OfflinePlanner(), tools=[GenerateIac()])
    runtime.ctx.services.iac_env = iac_env
    yield Agent(runtime)
    runtime.close()


def ask(agent: Agent, text: str, thread: str = "t1") -> Reply:
    return agent.handle(ChatMessage(user="alice", channel="c", thread=thread, text=text))


@pytest.mark.parametrize(
    ("text", "filename", "must_contain"),
    [
        (
            "write Terraform for a private S3 bucket with versioning",
            "main.tf",
            'resource "aws_s3_bucket_versioning"',
        ),
        ("a Kubernetes deployment for nginx with 3 replicas and a service", "k8s.yaml", "kind: Service"),
    ],
)
def test_chat_request_returns_validated_code(
    agent: Agent, text: str, filename: str, must_contain: str
) -> None:
    reply = ask(agent, text)
    assert reply.ok, reply.text
    assert [c.name for c in reply.tool_calls] == ["generate_iac"]
    (code,) = reply.code
    assert code.filename == filename and must_contain in code.code
    assert "passed every check" in reply.text
    assert reply.tables and reply.tables[0].title == "Validation and security checks"

    rendered = render_reply(reply)
    blocks = str([m.blocks for m in rendered.messages])
    assert filename in blocks
    assert "passed every check" in blocks


def test_follow_up_changes_the_format(agent: Agent) -> None:
    ask(agent, "write Terraform for an SQS queue with a dead-letter queue", thread="t2")
    reply = ask(agent, "now in cloudformation", thread="t2")
    assert reply.ok and reply.code[0].filename == "template.yaml"
