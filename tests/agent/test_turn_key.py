"""A keyed turn run again (its worker was killed, its job retried) makes its approval requests
once: the rerun finds the request of (turn key, change index) and answers with it, with no second
request, audit record or waiting approval thread. Unkeyed turns are unchanged."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from agent.messages import ChatMessage
from agent.runtime import Runtime
from agent.turn import Agent, approval_thread
from config import Settings, load_settings
from store.approvals import ApprovalStatus
from tests.agent.doubles import Echo, RecordingChange, ScriptedPlanner, call
from tests.services import postgres_url

Build = Callable[[], Agent]


def _settings(tmp_path: Path, database: str) -> Settings:
    extra: dict[str, Any] = {}
    if database == "postgres":
        pg = postgres_url()
        extra = {"database_url": pg.replace("postgresql://", "postgresql+psycopg://", 1)}
        extra["checkpoint_url"] = pg
    return load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15T12:00:00",
        approvals={"rules": [{"actions": ["*"], "users": ["bob"]}]},
        **extra,
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def build(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Build, RecordingChange]]:
    """Agents on one database: a second one is the worker that reruns the job."""
    settings = _settings(tmp_path, request.param)
    tool = RecordingChange()
    runtimes: list[Runtime] = []

    def _build() -> Agent:
        planner = ScriptedPlanner(
            [
                call("change_thing", resource_id="thing-1", value=3),
                call("change_thing", resource_id="thing-2"),
            ]
        )
        rt = Runtime.build(settings, planner=planner, tools=[Echo(), tool])
        runtimes.append(rt)
        return Agent(rt)

    yield _build, tool
    for rt in runtimes:
        rt.close()


def _message(thread: str, key: str | None) -> ChatMessage:
    return ChatMessage(user="alice", channel="c", thread=thread, text="change both", turn_key=key)


def _requests(agent: Agent, ids: set[str]) -> list[str]:
    return [r.kind for a in sorted(ids) for r in agent.audit(a) if r.kind == "request"]


def test_a_keyed_turn_run_twice_makes_each_request_once(build: tuple[Build, RecordingChange]) -> None:
    make, tool = build
    thread, key = uuid.uuid4().hex, f"msg:C1:{uuid.uuid4().hex}"
    first = make().handle(_message(thread, key))
    assert first.approval is not None, first.text
    planned = tool.planned
    # The same job on another worker (a restart, or the retry after a SIGKILL).
    again_agent = make()
    again = again_agent.handle(_message(thread, key))
    assert again.approval is not None and again.approval.id == first.approval.id
    assert tool.planned == planned  # not even planned again: the stored plan answers
    assert again.text == first.text
    mine = [a for a in again_agent.rt.approvals.approvals.list() if a.conversation_id.endswith(thread)]
    assert len(mine) == 2 and {a.call_index for a in mine} == {0, 1}  # two changes, once each
    assert all(a.status is ApprovalStatus.PENDING for a in mine)
    assert _requests(again_agent, {a.id for a in mine}) == ["request", "request"]
    # It still decides and runs exactly once.
    done = again_agent.decide(first.approval.id, "bob", approve=True)
    assert done.ok, done.text
    assert tool.applied == [first.approval.id]


def test_a_rerun_after_a_kill_before_the_gate_opens_it_once(build: tuple[Build, RecordingChange]) -> None:
    make, tool = build
    thread, key = uuid.uuid4().hex, f"msg:C1:{uuid.uuid4().hex}"
    agent = make()
    msg = _message(thread, key)
    plan = cast(RecordingChange, agent.rt.registry["change_thing"])
    stored = agent.rt.approvals.request(  # what the killed run's dry run stored before it died
        conversation_id=msg.conversation_id,
        requester="alice",
        channel="c",
        tool="change_thing",
        args={"resource_id": "thing-1", "value": 3},
        plan=plan.plan(agent.rt.ctx, plan.parse({"resource_id": "thing-1", "value": 3})),
        turn_key=f"terminal:{key}",
        call_index=0,
    )
    assert not agent.rt.graph.get_state(approval_thread(stored.id)).values  # killed before the gate
    reply = agent.handle(msg)
    assert reply.approval is not None
    ids = [a.id for a in agent.rt.approvals.approvals.list() if a.conversation_id == msg.conversation_id]
    assert stored.id in ids and len(ids) == 2
    assert agent.rt.graph.get_state(approval_thread(stored.id)).interrupts  # waits at its gate now
    assert _requests(agent, {stored.id}) == ["request"]
    assert agent.decide(stored.id, "bob", approve=True).ok
    assert tool.applied == [stored.id]
    # A late rerun of the same job after the change ran: the executed request is reported, not
    # asked again, and its finished thread is not reopened.
    late = make().handle(msg)
    assert late.approval is not None and late.approval.status in ("pending", "executed")
    executed = agent.rt.approvals.approvals.get(stored.id)
    assert executed is not None and executed.status is ApprovalStatus.EXECUTED
    assert not agent.rt.graph.get_state(approval_thread(stored.id)).interrupts
    stored_now = agent.rt.approvals.approvals.list()
    assert len([a for a in stored_now if a.conversation_id == msg.conversation_id]) == 2


def test_unkeyed_turns_and_other_keys_make_new_requests(build: tuple[Build, RecordingChange]) -> None:
    make, _ = build
    agent = make()
    thread = uuid.uuid4().hex
    ids = set()
    for key in (None, None, f"k-{uuid.uuid4().hex}", f"k-{uuid.uuid4().hex}"):
        reply = agent.handle(_message(thread, key))
        assert reply.approval is not None
        ids.add(reply.approval.id)
    assert len(ids) == 4
    # The same key in another conversation never hands out this conversation's request.
    key = f"k-{uuid.uuid4().hex}"
    one = agent.handle(_message(thread, key))
    other = agent.handle(_message(uuid.uuid4().hex, key))
    assert one.approval is not None and other.approval is not None
    assert one.approval.id != other.approval.id
