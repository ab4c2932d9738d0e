"""Approval buttons: who may decide, exactly once, and forged or replayed clicks refused."""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from agent.messages import Reply
from tests.agent.doubles import call
from tests.bot.slack.conftest import ALICE, BOB, CAROL, DAVE, MALLORY, Harness, sign


def request_change(h: Harness) -> tuple[str, str, str]:
    """Alice asks for a change; returns (approval id, approval message ts, thread ts)."""
    h.planner.calls = [call("change_thing", resource_id="thing-1", value=3)]
    _, thread = h.mention("change thing-1 to 3")
    h.settle()
    h.planner.calls = []
    approval_id, message_ts, posted = h.approval_message()
    assert posted["thread_ts"] == thread
    return approval_id, message_ts, thread


def _ephemerals(h: Harness, user: str) -> list[str]:
    return [c.args["text"] for c in h.fake.of("chat.postEphemeral") if c.args["user"] == user]


def _message_updates(h: Harness, ts: str) -> list[dict[str, Any]]:
    return [c.args for c in h.fake.of("chat.update") if c.args["ts"] == ts]


def test_pending_approval_is_posted_with_buttons(harness: Harness) -> None:
    approval_id, message_ts, _ = request_change(harness)
    _, _, posted = harness.approval_message()
    blocks = posted["blocks"]
    assert blocks[0]["type"] == "header" and "change_thing" in blocks[0]["text"]["text"]
    assert "thing-1: value -&gt; 3" in json.dumps(blocks)  # the plan's changes, escaped
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    approve, reject = actions["elements"]
    assert (approve["action_id"], approve["value"], approve["style"]) == (
        "cloudpilot_approve",
        approval_id,
        "primary",
    )
    assert reject["action_id"] == "cloudpilot_reject" and reject["style"] == "danger"
    assert (
        approve["confirm"]["confirm"]["text"] == "Approve" and reject["confirm"]["deny"]["text"] == "Cancel"
    )
    assert f"<@{BOB}>" in json.dumps(blocks) and f"<@{ALICE}>" in json.dumps(blocks)
    stored = harness.agent.rt.approvals.approvals.get(approval_id)
    assert stored is not None and stored.message_ref == f"C0001:{message_ts}"
    assert harness.change.applied == []


def test_authorised_user_approves_and_it_is_applied(harness: Harness) -> None:
    approval_id, message_ts, thread = request_change(harness)
    status, body = harness.click(approval_id, user=BOB, message_ts=message_ts)
    assert (status, body) == (200, "")
    harness.settle()
    assert harness.change.applied == [approval_id]
    (update,) = _message_updates(harness, message_ts)
    text = json.dumps(update["blocks"])
    assert "Approved and applied" in text and f"<@{BOB}>" in text
    assert all(b["type"] != "actions" for b in update["blocks"])  # buttons gone
    result = [p.args for p in harness.fake.of("chat.postMessage") if "Executed" in p.args["text"]]
    assert len(result) == 1 and result[0]["thread_ts"] == thread
    assert harness.agent.view(approval_id).status == "executed"  # type: ignore[union-attr]


def test_user_group_member_approves(harness: Harness) -> None:
    approval_id, message_ts, _ = request_change(harness)
    harness.click(approval_id, user=DAVE, message_ts=message_ts)
    harness.settle()
    assert harness.change.applied == [approval_id]
    assert [c.args["usergroup"] for c in harness.fake.of("usergroups.users.list")] == ["S0ONCALL"]
    # Stored as the canonical identity: the Slack id, case-folded.
    assert harness.agent.view(approval_id).decided_by == DAVE.lower()  # type: ignore[union-attr]


def test_reject_changes_nothing(harness: Harness) -> None:
    approval_id, message_ts, thread = request_change(harness)
    harness.click(approval_id, user=CAROL, approve=False, message_ts=message_ts)
    harness.settle()
    assert harness.change.applied == []
    (update,) = _message_updates(harness, message_ts)
    assert "Rejected" in update["text"] and CAROL in update["text"]
    assert any("nothing was changed" in p.args["text"] for p in harness.fake.of("chat.postMessage"))


@pytest.mark.parametrize(("user", "reason"), [(ALICE, "four eyes"), (MALLORY, "not an authorised approver")])
def test_requester_and_outsider_are_refused(harness: Harness, user: str, reason: str) -> None:
    approval_id, message_ts, _ = request_change(harness)
    before = len(harness.fake.of("chat.postMessage"))
    harness.click(approval_id, user=user, message_ts=message_ts)
    harness.settle()
    assert harness.change.applied == []
    (refusal,) = _ephemerals(harness, user)
    assert reason in refusal
    assert _message_updates(harness, message_ts) == []  # the request message is untouched
    assert len(harness.fake.of("chat.postMessage")) == before  # nothing said in the thread
    assert harness.agent.view(approval_id).status == "pending"  # type: ignore[union-attr]
    # The refusal did not use anything up: an approver can still approve.
    harness.click(approval_id, user=BOB, message_ts=message_ts)
    harness.settle()
    assert harness.change.applied == [approval_id]


def test_double_click_executes_once(harness_factory: Any, store_kind: str) -> None:
    harness: Harness = harness_factory(store_kind)
    approval_id, message_ts, _ = request_change(harness)
    # Two block_actions payloads, as a double click produces: different action_ts values.
    for action_ts in ("1700002000.000001", "1700002000.000002"):
        assert harness.click(approval_id, user=BOB, message_ts=message_ts, action_ts=action_ts)[0] == 200
    harness.settle()
    assert harness.change.applied == [approval_id]
    assert len(_message_updates(harness, message_ts)) == 1
    assert len([p for p in harness.fake.of("chat.postMessage") if "Executed" in p.args["text"]]) == 1
    assert _ephemerals(harness, BOB) == []


def test_two_approvers_at_once_execute_once(harness: Harness) -> None:
    approval_id, message_ts, _ = request_change(harness)
    barrier = threading.Barrier(2)

    def click(user: str) -> None:
        barrier.wait()
        harness.click(approval_id, user=user, message_ts=message_ts)

    threads = [threading.Thread(target=click, args=(u,)) for u in (BOB, CAROL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    harness.settle()
    assert harness.change.applied == [approval_id]
    assert len(_message_updates(harness, message_ts)) == 1
    loser = CAROL if harness.agent.view(approval_id).decided_by == BOB.lower() else BOB  # type: ignore[union-attr]
    (notice,) = _ephemerals(harness, loser)
    assert "already" in notice


def test_click_after_decision_is_told_so(harness: Harness) -> None:
    approval_id, message_ts, _ = request_change(harness)
    harness.click(approval_id, user=BOB, message_ts=message_ts)
    harness.settle()
    harness.click(approval_id, user=CAROL, message_ts=message_ts)
    harness.settle()
    assert harness.change.applied == [approval_id]
    (notice,) = _ephemerals(harness, CAROL)
    assert "already executed" in notice


def test_forged_approval_id_is_refused(harness: Harness) -> None:
    approval_id, message_ts, _ = request_change(harness)
    harness.click("ap-000000000000", user=BOB, message_ts=message_ts)
    harness.click("../../etc/passwd", user=CAROL, message_ts=message_ts)
    harness.settle()
    assert harness.change.applied == []
    assert "no approval request" in _ephemerals(harness, BOB)[0]
    assert "no approval request" in _ephemerals(harness, CAROL)[0]
    assert harness.agent.view(approval_id).status == "pending"  # type: ignore[union-attr]


def test_button_from_another_message_is_refused(harness: Harness) -> None:
    approval_id, message_ts, _ = request_change(harness)
    harness.click(approval_id, user=BOB, message_ts="1700009999.000001")
    harness.click(approval_id, user=CAROL, channel="C0OTHER", message_ts=message_ts)
    harness.settle()
    assert harness.change.applied == []
    assert "does not belong" in _ephemerals(harness, BOB)[0]
    assert harness.agent.view(approval_id).status == "pending"  # type: ignore[union-attr]


def test_replayed_click_is_refused(harness: Harness) -> None:
    approval_id, message_ts, _ = request_change(harness)
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001"},
        "user": {"id": BOB},
        "api_app_id": "A0001",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": "C0001"},
        "channel": {"id": "C0001"},
        "message": {"ts": message_ts},
        "actions": [{"action_id": "cloudpilot_approve", "value": approval_id, "action_ts": "1.1"}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    ts = str(int(time.time()))
    first = harness.post(body, "application/x-www-form-urlencoded", timestamp=ts, signature=sign(body, ts))
    again = harness.post(body, "application/x-www-form-urlencoded", timestamp=ts, signature=sign(body, ts))
    assert first[0] == again[0] == 200
    old = str(int(time.time()) - 3600)  # captured long ago: the signature's timestamp is stale
    assert (
        harness.post(body, "application/x-www-form-urlencoded", timestamp=old, signature=sign(body, old))[0]
        == 401
    )
    harness.settle()
    assert harness.change.applied == [approval_id]
    assert len(_message_updates(harness, message_ts)) == 1


def test_a_refused_click_does_not_use_up_the_approvers_click(harness_factory: Any, store_kind: str) -> None:
    harness: Harness = harness_factory(store_kind)
    approval_id, message_ts, _ = request_change(harness)
    # Dave approves through @oncall: the group lookup fails at that moment, so he is refused ...
    harness.fake.failures["usergroups.users.list"] = "ratelimited"
    harness.click(approval_id, user=DAVE, message_ts=message_ts)
    harness.settle()
    assert "not an authorised approver" in _ephemerals(harness, DAVE)[0]
    # ... and Bob clicks a button on another message first: refused too.
    harness.click(approval_id, user=BOB, message_ts="1700009999.000001")
    harness.settle()
    assert "does not belong" in _ephemerals(harness, BOB)[0]
    assert harness.agent.view(approval_id).status == "pending"  # type: ignore[union-attr]

    # Later, valid clicks by the same people are honoured, not dropped as duplicates.
    del harness.fake.failures["usergroups.users.list"]
    harness.click(approval_id, user=DAVE, approve=False, message_ts=message_ts)
    harness.settle()
    assert harness.agent.view(approval_id).status == "rejected"  # type: ignore[union-attr]
    (update,) = _message_updates(harness, message_ts)
    assert "Rejected" in update["text"]
    # A click that decided stays used: Dave's next click is dropped without a word.
    harness.click(approval_id, user=DAVE, message_ts=message_ts)
    harness.settle()
    assert len(_ephemerals(harness, DAVE)) == 1 and len(_message_updates(harness, message_ts)) == 1


def test_a_retried_click_is_dropped_while_the_first_is_handled(harness: Harness) -> None:
    approval_id, message_ts, _ = request_change(harness)
    entered, go_on = threading.Event(), threading.Event()
    decide = harness.agent.decide
    decisions: list[str] = []

    def slow_decide(
        approval_id: str, actor: str, approve: bool, actor_groups: set[str] | None = None
    ) -> Reply:
        decisions.append(actor)
        entered.set()
        assert go_on.wait(10)
        return decide(approval_id, actor, approve, actor_groups)

    harness.agent.decide = slow_decide  # type: ignore[method-assign]
    # Slack redelivers the very same payload when the first ack looked late.
    harness.click(approval_id, user=BOB, message_ts=message_ts, action_ts="1700002000.000001")
    assert entered.wait(10)
    harness.click(approval_id, user=BOB, message_ts=message_ts, action_ts="1700002000.000001")
    go_on.set()
    harness.settle()
    assert decisions == [BOB]
    assert harness.change.applied == [approval_id]
    assert len(_message_updates(harness, message_ts)) == 1 and _ephemerals(harness, BOB) == []


def test_a_click_that_fails_can_be_retried(harness: Harness) -> None:
    approval_id, message_ts, _ = request_change(harness)
    decide = harness.agent.decide

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    harness.agent.decide = broken  # type: ignore[method-assign]
    harness.click(approval_id, user=BOB, message_ts=message_ts)
    harness.settle()
    assert "something went wrong" in _ephemerals(harness, BOB)[0]
    harness.agent.decide = decide  # type: ignore[method-assign]
    harness.click(approval_id, user=BOB, message_ts=message_ts)
    harness.settle()
    assert harness.change.applied == [approval_id]
