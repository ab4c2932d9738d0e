"""The same approval flow on PostgreSQL (store and LangGraph checkpointer), as at scale."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from agent.messages import ChatMessage
from agent.runtime import Runtime
from agent.turn import Agent
from config import load_settings
from tests.agent.doubles import Echo, RecordingChange, ScriptedPlanner, call
from tests.services import postgres_url

pytestmark = pytest.mark.postgres

PG = postgres_url()


def test_approval_flow_on_postgres(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path,
        database_url=PG.replace("postgresql://", "postgresql+psycopg://", 1),
        checkpoint_url=PG,
        approvals={"rules": [{"users": ["bob"]}]},
    )
    tool = RecordingChange()
    planner = ScriptedPlanner([call("change_thing", resource_id="pg-thing")])
    thread = uuid.uuid4().hex
    first = Runtime.build(settings, planner=planner, tools=[Echo(), tool])
    try:
        reply = Agent(first).handle(ChatMessage(user="alice", channel="c", thread=thread, text="go"))
        assert reply.approval is not None
        approval_id = reply.approval.id
    finally:
        first.close()
    second = Runtime.build(settings, planner=planner, tools=[Echo(), tool])
    try:
        agent = Agent(second)
        assert not agent.decide(approval_id, "alice", approve=True).ok
        done = agent.decide(approval_id, "bob", approve=True)
        assert done.ok, done.text
        assert tool.applied == [approval_id]
        assert [r.kind for r in agent.audit(approval_id)] == [
            "request",
            "refused",
            "decision",
            "executing",
            "execution",
            "verification",
        ]
    finally:
        second.close()
