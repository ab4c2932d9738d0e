"""Approvers hear of a request in a direct message: each eligible one once, never the requester."""

from __future__ import annotations

from pathlib import Path

from slack_sdk import WebClient

from agent.runtime import Runtime
from agent.turn import Agent
from bot.slack.groups import GroupResolver
from bot.slack.jobs import Answer, Incoming
from bot.slack.responder import SlackResponder
from tests.agent.doubles import RecordingChange
from tests.bot.slack.conftest import ALICE, BOB, CAROL, DAVE, ONCALL_ID, Harness, make_settings
from tests.bot.slack.doubles import ContextPlanner
from tests.bot.slack.fake_slack import FakeSlack


def dms(fake: FakeSlack) -> dict[str, list[str]]:
    """Direct messages the app sent: DM channel -> texts."""
    out: dict[str, list[str]] = {}
    for call in fake.where("chat.postMessage", lambda a: str(a.get("channel", "")).startswith("D")):
        out.setdefault(call.args["channel"], []).append(call.args["text"])
    return out


def test_each_eligible_approver_gets_one_dm(harness: Harness) -> None:
    harness.mention("change thing-9", user=ALICE)
    harness.settle()
    approval_id, _, _ = harness.approval_message()
    opened = sorted(c.args["users"] for c in harness.fake.of("conversations.open"))
    # The policy's users and the @oncall group's members; not the requester.
    assert opened == sorted([BOB, CAROL, DAVE])
    sent = dms(harness.fake)
    assert sorted(sent) == sorted(f"D{u}" for u in (BOB, CAROL, DAVE))
    for texts in sent.values():
        (text,) = texts
        assert approval_id in text and f"<@{ALICE}>" in text and "<#C0001>" in text


def test_the_requester_is_not_messaged_about_their_own_request(harness: Harness) -> None:
    harness.mention("change thing-7", user=BOB)
    harness.settle()
    assert sorted(dms(harness.fake)) == sorted(f"D{u}" for u in (CAROL, DAVE))


def test_a_job_run_again_does_not_message_twice(tmp_path: Path, fake_slack: FakeSlack) -> None:
    settings = make_settings(tmp_path, fake_slack, "memory")
    runtime = Runtime.build(settings, planner=ContextPlanner(), tools=[RecordingChange()])
    try:
        client = WebClient(token="xoxb-t", base_url=fake_slack.api_url)
        responder = SlackResponder(Agent(runtime), client, GroupResolver(client), lambda c, t: None)
        job = Answer(Incoming(ALICE, "C1", "change thing-3", "5.0", "5.0"), key="msg:C1:5.0")
        responder.run(job)
        first = dms(fake_slack)
        assert len(first) == 3
        # Killed after the DMs were sent, before the job was marked done: the rerun finds them.
        responder.ledger.put(job.key, "done", "?intent")
        responder.run(job)
        assert dms(fake_slack) == first
    finally:
        runtime.close()


def test_a_failing_dm_does_not_fail_the_request(harness: Harness) -> None:
    harness.fake.failures["conversations.open"] = "missing_scope"  # an app installed without im:write
    harness.mention("change thing-9", user=ALICE)
    harness.settle()
    approval_id, _, _ = harness.approval_message()
    assert dms(harness.fake) == {}
    assert not any("Sorry" in c.args["text"] for c in harness.fake.of("chat.postMessage"))
    assert harness.approvals.get(approval_id) is not None


def test_group_members_come_from_the_user_group(harness: Harness) -> None:
    harness.fake.usergroups[ONCALL_ID] = ("oncall", [DAVE, ALICE])
    harness.mention("change thing-9", user=ALICE)
    harness.settle()
    assert f"D{ALICE}" not in dms(harness.fake)


def test_approvers_named_in_the_policy_are_found_by_their_slack_ids(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    base = make_settings(tmp_path, fake_slack, "memory")
    settings = base.model_copy(
        update={
            "identities": {"bob": [BOB, "bob@example.com"], "alice": [ALICE]},
            "approvals": base.approvals.model_copy(
                update={
                    "rules": [
                        base.approvals.rules[0].model_copy(update={"users": ["bob", "alice"], "groups": []})
                    ]
                }
            ),
        }
    )
    runtime = Runtime.build(settings, planner=ContextPlanner(), tools=[RecordingChange()])
    try:
        client = WebClient(token="xoxb-t", base_url=fake_slack.api_url)
        responder = SlackResponder(Agent(runtime), client, GroupResolver(client), lambda c, t: None)
        responder.run(Answer(Incoming(ALICE, "C1", "change thing-4", "7.0", "7.0"), key="msg:C1:7.0"))
        # "bob" is UBOB; "alice" is the requester (as UALICE): not messaged.
        assert sorted(dms(fake_slack)) == [f"D{BOB}"]
        assert fake_slack.of("usergroups.list") == []  # no groups in this policy: no lookup
    finally:
        runtime.close()
