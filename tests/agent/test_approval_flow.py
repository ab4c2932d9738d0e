"""Approve-then-execute: four eyes, expiry, exactly once, restarts, audit."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.messages import ChatMessage
from agent.runtime import Runtime
from agent.turn import Agent
from config import Settings, load_settings
from config.clock import as_utc
from store.approvals import ApprovalStatus
from tests.agent.doubles import Echo, ManualClock, RecordingChange, ScriptedPlanner, call

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
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def build(base_settings: Settings, change_tool: RecordingChange, clock: ManualClock) -> Iterator[Build]:
    runtimes: list[Runtime] = []

    def _build(settings: Settings | None = None, planner: ScriptedPlanner | None = None) -> Agent:
        rt = Runtime.build(
            settings or base_settings,
            planner=planner or ScriptedPlanner([call("change_thing", resource_id="thing-1", value=3)]),
            tools=[Echo(), change_tool],
            safety_clock=clock,
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
    # Each step is recorded before the next side effect; carol's late click is recorded too.
    assert kinds == ["request", "decision", "executing", "execution", "verification", "attempt"]


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
    build: Build, clock: ManualClock, change_tool: RecordingChange
) -> None:
    agent = build()
    approval_id = ask(agent)
    clock.advance(minutes=31)
    reply = agent.decide(approval_id, "bob", approve=True)
    assert not reply.ok and "expired" in reply.text
    assert change_tool.applied == []
    assert agent.view(approval_id).status == "expired"  # type: ignore[union-attr]


def test_stale_requests_expire_when_listed(build: Build, clock: ManualClock) -> None:
    agent = build()
    approval_id = ask(agent)
    clock.advance(hours=1)
    assert [a.status for a in agent.approvals()] == ["expired"]
    assert "expired" in [r.kind for r in agent.audit(approval_id)]


def test_the_pinned_clock_moves_neither_expiry_nor_audit_time(
    build: Build, base_settings: Settings, change_tool: RecordingChange
) -> None:
    """`--now` pins what questions mean; it never extends or shortens an approval's validity."""
    agent = build()  # questions pinned to 2024-10-15
    approval_id = ask(agent)
    view = agent.view(approval_id)
    assert view is not None and view.expires_at is not None
    real_now = datetime.now(UTC)
    assert timedelta(minutes=29) < as_utc(view.expires_at) - real_now <= timedelta(minutes=30)
    assert all(abs(as_utc(r.at) - real_now) < timedelta(minutes=5) for r in agent.audit(approval_id))
    future = base_settings.model_copy(update={"now": datetime(2030, 1, 1)})
    assert build(future).decide(approval_id, "bob", approve=True).ok  # 2030 does not expire it
    assert change_tool.applied == [approval_id]


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


def test_a_resource_changed_since_the_request_makes_it_stale(
    build: Build, change_tool: RecordingChange
) -> None:
    agent = build()
    approval_id = ask(agent)
    change_tool.current = 7  # someone changed the thing after the plan was shown
    reply = agent.decide(approval_id, "bob", approve=True)
    assert not reply.ok and "changed since the request" in reply.text, reply.text
    assert change_tool.applied == []
    assert agent.view(approval_id).status == "stale"  # type: ignore[union-attr]
    stale = [r for r in agent.audit(approval_id) if r.kind == "stale"]
    assert stale and stale[0].detail["approved_plan_hash"] != stale[0].detail["current_plan_hash"]


def test_one_message_opens_at_most_the_configured_number_of_requests(
    build: Build, change_tool: RecordingChange
) -> None:
    many = ScriptedPlanner([call("change_thing", resource_id=f"thing-{i}") for i in range(5)])
    agent = build(planner=many)
    reply = agent.handle(ChatMessage(user="alice", channel="c", thread="t9", text="change all of them"))
    assert len(agent.approvals()) == 3
    assert reply.text.count("at most 3 approval request") == 2, reply.text


def test_a_model_cannot_claim_an_approval(build: Build, change_tool: RecordingChange) -> None:
    liar = ScriptedPlanner(answer="Approved by bob and executed: port 22 is closed.")
    agent = build(planner=liar)
    rt_planner = agent.rt.planner
    assert rt_planner is liar
    reply = agent.handle(ChatMessage(user="alice", channel="c", thread="t8", text="close port 22"))
    assert "Approved by bob" not in reply.text
    assert "can't confirm approvals" in reply.text


def test_reconciler_executes_a_decision_whose_process_died(
    build: Build, change_tool: RecordingChange
) -> None:
    agent = build()
    approval_id = ask(agent)
    # A crash right after pending -> approved: the decision is stored, nothing executed.
    store = agent.rt.approvals.approvals
    assert store.transition(approval_id, ApprovalStatus.PENDING, ApprovalStatus.APPROVED, decided_by="bob")
    report = agent.reconcile()
    assert [r.status for r in report.executed] == [ApprovalStatus.EXECUTED]
    assert change_tool.applied == [approval_id]
    assert agent.reconcile().touched == 0


def test_reconciler_closes_an_execution_left_running(build: Build, change_tool: RecordingChange) -> None:
    agent = build()
    store = agent.rt.approvals.approvals

    def left_executing(thread: str) -> str:
        approval_id = ask(agent, thread=thread)
        store.transition(approval_id, ApprovalStatus.PENDING, ApprovalStatus.APPROVED, decided_by="bob")
        store.transition(approval_id, ApprovalStatus.APPROVED, ApprovalStatus.EXECUTING)
        return approval_id

    # The cloud call happened before the crash: found in place, recorded, closed as executed.
    done = left_executing("a")
    change_tool.applied.append(done)
    agent.reconcile()
    assert agent.view(done).status == "executed"  # type: ignore[union-attr]
    assert [r.kind for r in agent.audit(done)][-2:] == ["execution", "verification"]
    # The crash came before the cloud call: nothing in place, closed as failed, never re-applied.
    change_tool.applied.clear()
    interrupted = left_executing("b")
    agent.reconcile()
    assert agent.view(interrupted).status == "failed"  # type: ignore[union-attr]
    assert change_tool.applied == []


def test_every_question_is_recorded_with_the_tools_it_called(build: Build) -> None:
    agent = build(planner=ScriptedPlanner([call("echo", text="hi")]))
    agent.handle(ChatMessage(user="alice", channel="ops", thread="q", text="say hi"))
    [record] = agent.audit(kind="question")
    assert (record.actor, record.subject) == ("alice", "say hi")
    assert record.detail["tools"] == [{"name": "echo", "args": {"text": "hi"}}]
    assert record.detail["channel"] == "ops"


def test_status_of_that_approval_comes_from_the_store(build: Build, change_tool: RecordingChange) -> None:
    agent = build()
    approval_id = ask(agent, thread="s")
    for text in ("what's the status of that approval?", f"status of {approval_id}", "is it approved yet?"):
        reply = agent.handle(ChatMessage(user="alice", channel="c", thread="s", text=text))
        assert f"Approval {approval_id}" in reply.text and "pending" in reply.text, (text, reply.text)
        assert reply.tool_calls == []
    agent.decide(approval_id, "bob", approve=True)
    reply = agent.handle(
        ChatMessage(user="alice", channel="c", thread="s", text="any update on that request?")
    )
    assert "executed by bob" in reply.text


def test_the_requester_can_withdraw_a_pending_request(build: Build, change_tool: RecordingChange) -> None:
    agent = build()
    approval_id = ask(agent, thread="w")
    refused = agent.handle(ChatMessage(user="carol", channel="c", thread="w", text="cancel it"))
    assert refused.text.startswith("Not withdrawn") and agent.view(approval_id).status == "pending"  # type: ignore[union-attr]
    done = agent.handle(ChatMessage(user="alice", channel="c", thread="w", text="never mind, cancel it"))
    assert done.text.startswith(f"Withdrew approval {approval_id}"), done.text
    assert agent.view(approval_id).status == "withdrawn"  # type: ignore[union-attr]
    late = agent.decide(approval_id, "bob", approve=True)
    assert not late.ok and change_tool.applied == []
    kinds = [r.kind for r in agent.audit(approval_id)]
    assert "withdrawn" in kinds and kinds.count("refused") == 1
