"""Approve-then-execute: four eyes, expiry, exactly once, restarts, audit."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agent.messages import ChatMessage
from agent.runtime import Runtime
from agent.turn import Agent
from config import Settings, load_settings
from tests.agent.doubles import Echo, RecordingChange, ScriptedPlanner, call

Build = Callable[..., Agent]


@pytest.fixture
def base_settings(tmp_path: Path) -> Settings:
    return load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15T12:00:00",
        approvals={
            "rules": [{"actions": ["*"], "users": ["bob", "carol"], "groups": ["oncall"]}],
            "expiry_minutes": 30,
        },
    )


@pytest.fixture
def change_tool() -> RecordingChange:
    return RecordingChange()


@pytest.fixture
def build(base_settings: Settings, change_tool: RecordingChange) -> Iterator[Build]:
    runtimes: list[Runtime] = []

    def _build(settings: Settings | None = None, planner: ScriptedPlanner | None = None) -> Agent:
        rt = Runtime.build(
            settings or base_settings,
            planner=planner or ScriptedPlanner([call("change_thing", resource_id="thing-1", value=3)]),
            tools=[Echo(), change_tool],
        )
        runtimes.append(rt)
        return Agent(rt)

    yield _build
    for rt in runtimes:
        rt.close()


def ask(agent: Agent, text: str = "change it", user: str = "alice", thread: str = "t1") -> str:
    reply = agent.handle(ChatMessage(user=user, channel="c", thread=thread, text=text))
    assert reply.approval is not None, reply.text
    return reply.approval.id


def test_mutating_call_waits_for_approval_and_runs_once(build: Build, change_tool: RecordingChange) -> None:
    agent = build()
    reply = agent.handle(ChatMessage(user="alice", channel="c", thread="t1", text="change it"))
    assert reply.approval is not None and reply.approval.status == "pending"
    assert reply.approval.plan["changes"] == ["thing-1: value -> 3"]
    assert reply.contract()["approval"]["status"] == "pending"
    assert change_tool.applied == []

    done = agent.decide(reply.approval.id, "bob", approve=True)
    assert done.ok, done.text
    assert change_tool.applied == [reply.approval.id]  # idempotency key = approval id
    assert done.approval is not None and done.approval.status == "executed"
    assert "Verification: value is set" in done.text

    again = agent.decide(reply.approval.id, "carol", approve=True)
    assert not again.ok and "already executed" in again.text
    assert change_tool.applied == [reply.approval.id]

    kinds = [r.kind for r in agent.audit(reply.approval.id)]
    assert kinds == ["request", "decision", "execution", "verification"]


def test_requester_cannot_approve_own_request(build: Build, change_tool: RecordingChange) -> None:
    agent = build()
    approval_id = ask(agent)
    refused = agent.decide(approval_id, "alice", approve=True)
    assert not refused.ok and "four eyes" in refused.text
    assert change_tool.applied == []
    assert agent.view(approval_id).status == "pending"  # type: ignore[union-attr]
    assert [r.kind for r in agent.audit(approval_id)] == ["request", "refused"]


def test_outsider_refused_group_member_allowed(build: Build, change_tool: RecordingChange) -> None:
    agent = build()
    approval_id = ask(agent)
    assert not agent.decide(approval_id, "mallory", approve=True).ok
    assert change_tool.applied == []
    assert agent.decide(approval_id, "dave", approve=True, actor_groups={"oncall"}).ok
    assert change_tool.applied == [approval_id]


def test_reject_changes_nothing(build: Build, change_tool: RecordingChange) -> None:
    agent = build()
    approval_id = ask(agent)
    reply = agent.decide(approval_id, "bob", approve=False)
    assert "rejected by bob" in reply.text and "nothing was changed" in reply.text
    assert change_tool.applied == []
    assert not agent.decide(approval_id, "carol", approve=True).ok
    assert change_tool.applied == []


def test_expired_request_cannot_be_approved(
    build: Build, base_settings: Settings, change_tool: RecordingChange
) -> None:
    approval_id = ask(build())
    later = base_settings.model_copy(update={"now": base_settings.now.replace(hour=13)})  # type: ignore[union-attr]
    agent = build(later)
    reply = agent.decide(approval_id, "bob", approve=True)
    assert not reply.ok and "expired" in reply.text
    assert change_tool.applied == []
    assert agent.view(approval_id).status == "expired"  # type: ignore[union-attr]


def test_stale_requests_expire_when_listed(
    build: Build, base_settings: Settings, change_tool: RecordingChange
) -> None:
    approval_id = ask(build())
    later = base_settings.model_copy(update={"now": base_settings.now.replace(hour=13)})  # type: ignore[union-attr]
    agent = build(later)
    assert [a.status for a in agent.approvals()] == ["expired"]
    assert "expired" in [r.kind for r in agent.audit(approval_id)]


def test_unknown_id(build: Build) -> None:
    reply = build().decide("ap-doesnotexist", "bob", approve=True)
    assert not reply.ok and "no approval request" in reply.text


def test_pending_approval_survives_restart(build: Build, change_tool: RecordingChange) -> None:
    approval_id = ask(build())
    # A new runtime over the same files stands for a new process.
    reply = build().decide(approval_id, "bob", approve=True)
    assert reply.ok, reply.text
    assert change_tool.applied == [approval_id]


def test_two_approvers_at_once_apply_once(build: Build, change_tool: RecordingChange) -> None:
    approval_id = ask(build())
    agents = [build(), build()]
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def approve(agent: Agent, who: str) -> None:
        barrier.wait()
        results.append(agent.decide(approval_id, who, approve=True).ok)

    threads = [
        threading.Thread(target=approve, args=(a, w)) for a, w in zip(agents, ["bob", "carol"], strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert change_tool.applied == [approval_id]


def test_conversation_continues_while_approval_pending(build: Build, change_tool: RecordingChange) -> None:
    planner = ScriptedPlanner([call("change_thing", resource_id="thing-1")])
    agent = build(planner=planner)
    approval_id = ask(agent)
    planner.calls = [call("echo", text="still here")]
    follow = agent.handle(ChatMessage(user="alice", channel="c", thread="t1", text="anything else?"))
    assert follow.text == "echo: still here"
    assert agent.decide(approval_id, "bob", approve=True).ok
    assert change_tool.applied == [approval_id]


def test_failed_apply_is_recorded(build: Build, change_tool: RecordingChange) -> None:
    agent = build()
    approval_id = ask(agent)
    change_tool.fail_apply = True
    reply = agent.decide(approval_id, "bob", approve=True)
    assert not reply.ok and "internal error" in reply.text
    assert agent.view(approval_id).status == "failed"  # type: ignore[union-attr]
    assert [r.kind for r in agent.audit(approval_id)][-1] == "execution"
