"""Approval cards with Universal Actions: who may decide, once, and what everyone sees after."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.bot.teams.conftest import BOB, CAROL, DAVE, MALLORY, Harness


def _request(h: Harness, requester: str = BOB) -> tuple[str, str, str, dict[str, str]]:
    _, root = h.say("change res-1", user=requester)
    h.settle()
    return h.approval_card()


def _updates(h: Harness) -> list[str]:
    return [json.dumps(c.body) for c in h.fake.to_connector() if c.method == "PUT"]


def _dms(h: Harness) -> list[str]:
    """Messages sent to 1:1 chats the bot created (a:dm-…)."""
    return [json.dumps(c.body) for c in h.fake.sent("POST") if "/conversations/a:dm-" in c.path]


def test_an_authorised_approver_applies_the_change_once_and_the_card_is_refreshed(harness: Harness) -> None:
    approval_id, card_id, conversation, data = _request(harness)
    assert harness.change.applied == []
    status, body = harness.post(
        harness.invoke("approve", data, user=CAROL, card_id=card_id, conversation=conversation)
    )
    assert status == 200
    response = json.loads(body)
    assert response["type"] == "application/vnd.microsoft.card.adaptive"  # the clicker's interim card
    harness.settle()
    assert len(harness.change.applied) == 1
    assert harness.agent.view(approval_id).status == "executed"  # type: ignore[union-attr]
    updates = _updates(harness)
    assert len(updates) == 1 and "Executed by carol" in updates[0] and "Action.Execute" not in updates[0]
    assert f"/activities/{card_id}" in [c.path for c in harness.fake.to_connector() if c.method == "PUT"][0]
    # The result is posted in the thread the request was made in.
    assert conversation.endswith(";messageid=" + conversation.split(";messageid=")[1])
    assert any(conversation in c.path for c in harness.fake.sent("POST")[-1:])


def test_the_requester_and_an_outsider_are_refused(harness: Harness) -> None:
    approval_id, card_id, conversation, data = _request(harness, requester=BOB)
    for who in (BOB, MALLORY):
        harness.post(harness.invoke("approve", data, user=who, card_id=card_id, conversation=conversation))
        harness.settle()
    assert harness.change.applied == []
    assert harness.agent.view(approval_id).status == "pending"  # type: ignore[union-attr]
    refusals = [d for d in _dms(harness) if "asks for approval" not in d]
    assert len(refusals) == 2
    assert "not an authorised approver" in refusals[1]
    kinds = [r.kind for r in harness.agent.audit(approval_id)]
    assert kinds.count("refused") == 2
    # The card is put back with its buttons, for everyone.
    assert all("Action.Execute" in u for u in _updates(harness))


def test_a_member_of_the_approver_group_may_decide(harness: Harness) -> None:
    approval_id, card_id, conversation, data = _request(harness)
    harness.post(harness.invoke("reject", data, user=DAVE, card_id=card_id, conversation=conversation))
    harness.settle()
    assert harness.agent.view(approval_id).status == "rejected"  # type: ignore[union-attr]
    assert harness.change.applied == []
    assert "Rejected by dave" in _updates(harness)[-1]
    graph = [c for c in harness.fake.calls if c.path.startswith("/graph/")]
    assert graph and graph[0].body == {"groupIds": ["99999999-0000-0000-0000-0000000000ca"]}


def test_a_replayed_invoke_decides_nothing_twice(harness: Harness) -> None:
    approval_id, card_id, conversation, data = _request(harness)
    invoke = harness.invoke("approve", data, user=CAROL, card_id=card_id, conversation=conversation)
    harness.post(invoke)
    harness.settle()
    status, body = harness.post(invoke)  # the very same activity again
    assert status == 200 and "received already" in body
    again = harness.invoke("approve", data, user=CAROL, card_id=card_id, conversation=conversation)
    harness.post(again)  # a new click after the decision
    harness.settle()
    assert len(harness.change.applied) == 1
    decisions = [r for r in harness.agent.audit(approval_id) if r.kind == "decision"]
    assert len(decisions) == 1


def test_altered_or_forged_card_data_is_refused(harness: Harness) -> None:
    approval_id, card_id, conversation, data = _request(harness)
    for bad in (
        {**data, "approvalId": "ap-other"},
        {**data, "sig": "0" * 64},
        {"approvalId": approval_id},
        "approve",
    ):
        status, body = harness.post(
            harness.invoke("approve", bad, user=CAROL, card_id=card_id, conversation=conversation)
        )
        # Data the SDK's model refuses is a 400; data that parses but was not signed by us, a 403.
        assert status == 400 or json.loads(body)["statusCode"] == 403
    status, body = harness.post(
        harness.invoke("delete-everything", data, user=CAROL, card_id=card_id, conversation=conversation)
    )
    assert json.loads(body)["statusCode"] == 400
    harness.settle()
    assert harness.agent.view(approval_id).status == "pending"  # type: ignore[union-attr]


def test_a_click_from_another_message_is_refused(harness: Harness) -> None:
    approval_id, card_id, conversation, data = _request(harness)
    harness.post(harness.invoke("approve", data, user=CAROL, card_id="1999", conversation=conversation))
    harness.settle()
    assert harness.agent.view(approval_id).status == "pending"  # type: ignore[union-attr]
    assert any("does not belong" in d for d in _dms(harness))
    # The real card still works for her afterwards.
    harness.post(harness.invoke("approve", data, user=CAROL, card_id=card_id, conversation=conversation))
    harness.settle()
    assert harness.agent.view(approval_id).status == "executed"  # type: ignore[union-attr]


def test_approvers_are_told_in_a_direct_message(harness: Harness) -> None:
    approval_id, *_ = _request(harness, requester=MALLORY)
    notices = [d for d in _dms(harness) if approval_id in d]
    # bob and carol have Entra ids in the identity table; the requester is never notified.
    creates = [c.body for c in harness.fake.to_connector() if c.path == "/connector/v3/conversations"]
    assert sorted(m["members"][0]["id"] for m in creates) == sorted([BOB, CAROL])
    assert len(notices) == 2


def test_malformed_card_actions_are_4xx(harness: Harness) -> None:
    approval_id, card_id, conversation, data = _request(harness)
    good = harness.invoke("approve", data, user=CAROL, card_id=card_id, conversation=conversation)
    changes: tuple[Callable[[dict[str, Any]], object], ...] = (
        lambda a: a.pop("value"),
        lambda a: a["value"].pop("action"),
        lambda a: a["value"]["action"].update(type="Action.Submit"),
        lambda a: a["value"]["action"].update(verb=None),
        lambda a: a.pop("replyToId"),
        lambda a: a["from"].pop("aadObjectId"),
    )
    for change in changes:
        bad = json.loads(json.dumps(good))
        change(bad)
        status, _ = harness.post(bad)
        assert 400 <= status < 500
    harness.settle()
    assert harness.agent.view(approval_id).status == "pending"  # type: ignore[union-attr]
    assert harness.change.applied == []
