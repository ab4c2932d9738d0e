"""Messages through `/api/messages`: channel mentions answered in their thread, personal chats,
follow-ups that keep their context, and everything that must never reach the agent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.bot.teams.conftest import ALICE, BOB, CHANNEL, Harness
from tests.bot.teams.fake_teams import FakeTeams


def _posts(h: Harness) -> list[tuple[str, dict[str, object]]]:
    return [(c.path, c.body) for c in h.fake.sent("POST")]


def test_a_mention_is_answered_in_its_thread(harness: Harness) -> None:
    status, root = harness.say("hello there")
    assert status == 200
    harness.settle()
    ((path, body),) = _posts(harness)
    assert path == f"/connector/v3/conversations/{CHANNEL};messageid={root}/activities"
    card = body["attachments"][0]  # type: ignore[index]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "turn 1: hello there" in json.dumps(card)
    assert harness.planner.seen == ["hello there"]  # the @mention is not part of the question
    # Every call to the Bot Connector carried a token from the client-credentials grant.
    assert all(c.token in harness.fake.issued for c in harness.fake.to_connector())


def test_a_follow_up_in_the_thread_keeps_the_context(harness: Harness) -> None:
    _, root = harness.say("first question")
    harness.settle()
    harness.say("and the second", thread=root)
    harness.settle()
    first, second = harness.answers()
    assert "turn 1: first question" in first
    assert "turn 2: and the second (before that: first question)" in second
    # A new post in the channel is a new conversation.
    harness.say("unrelated")
    harness.settle()
    assert "turn 1: unrelated" in harness.answers()[-1]


def test_a_personal_chat_is_one_conversation(harness: Harness) -> None:
    harness.say("hi", kind="personal", mention=False)
    harness.settle()
    harness.say("again", kind="personal", mention=False)
    harness.settle()
    paths = [p for p, _ in _posts(harness)]
    assert paths == [f"/connector/v3/conversations/a:personal-{ALICE}/activities"] * 2
    assert "turn 2: again (before that: hi)" in harness.answers()[-1]


def test_a_delivery_repeated_is_answered_once(harness: Harness) -> None:
    body = harness.activity("once please")
    assert harness.post(body)[0] == 200
    assert harness.post(body)[0] == 200
    harness.settle()
    assert harness.planner.seen == ["once please"]
    assert len(harness.answers()) == 1


def test_rich_replies_become_cards(harness: Harness) -> None:
    from tests.agent.doubles import call

    harness.planner.calls = [call("report", rows=3)]
    harness.say("the report")
    harness.settle()
    sent = " ".join(harness.answers())
    for part in ('"type": "Table"', '"type": "CodeBlock"', "Sources", "data:image/png;base64,", "svc-2"):
        assert part in sent, part
    for call_ in harness.fake.sent("POST"):
        assert len(json.dumps(call_.body).encode()) < 28 * 1024


def test_a_long_answer_is_split_under_the_card_limit(harness: Harness) -> None:
    from tests.agent.doubles import call

    harness.planner.calls = [call("report", rows=600)]
    harness.say("the big report")
    harness.settle()
    bodies = [json.dumps(c.body) for c in harness.fake.sent("POST")]
    assert len(bodies) >= 3
    assert all(len(b.encode()) < 28 * 1024 for b in bodies)
    assert "svc-599" in " ".join(bodies)  # nothing was dropped


BAD_TOKENS = {
    "missing": None,
    "wrong audience": "aud",
    "expired": "exp",
    "forged": "forged",
    "other service url": "svc",
}


@pytest.mark.parametrize("why", sorted(BAD_TOKENS))
def test_a_bad_token_is_401_and_never_reaches_the_agent(
    harness: Harness, fake_teams: FakeTeams, why: str
) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    kind = BAD_TOKENS[why]
    token = {
        None: None,
        "aud": fake_teams.mint(audience="another-bot"),
        "exp": fake_teams.mint(expires_in=-7200),
        "forged": fake_teams.mint(key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "svc": fake_teams.mint(service_url="https://smba.trafficmanager.net/emea/"),
    }[kind]
    status, _ = harness.post(harness.activity("steal the keys"), token=token)
    assert status == 401
    harness.settle()
    assert harness.planner.seen == []
    assert harness.fake.to_connector() == []


MALFORMED: list[tuple[str, object]] = [
    ("not json", b"{not json"),
    ("not an object", b"[1, 2]"),
    ("not utf-8", b'{"type": "message", "text": "\xff"}'),
    ("no type", {"serviceUrl": "x", "channelId": "msteams"}),
    ("deep", {"type": "message", "x": json.loads("[" * 40 + "]" * 40)}),
]


@pytest.mark.parametrize("name", [m[0] for m in MALFORMED])
def test_malformed_bodies_are_4xx(harness: Harness, name: str) -> None:
    body = dict(MALFORMED)[name]
    status, _ = harness.post(body if isinstance(body, bytes) else json.dumps(body).encode())
    assert 400 <= status < 500
    harness.settle()
    assert harness.planner.seen == []


@pytest.mark.parametrize(
    "change",
    [
        lambda a: a.pop("from"),
        lambda a: a["from"].pop("aadObjectId"),
        lambda a: a["from"].update(aadObjectId="not-a-guid"),
        lambda a: a.update(conversation="x"),
        lambda a: a.update(id=12),
        lambda a: a.update(text={"nested": True}),
        lambda a: a.update(channelId="webchat"),
        lambda a: a.update(serviceUrl="ftp://x"),
        lambda a: a.update(entities="nope"),
    ],
)
def test_malformed_activities_are_4xx_never_a_crash(harness: Harness, change: object) -> None:
    activity = harness.activity("hi")
    change(activity)  # type: ignore[operator]
    status, _ = harness.post(activity)
    assert status in (400, 401)
    harness.settle()
    assert harness.planner.seen == []


def test_other_activity_types_are_acknowledged_and_ignored(harness: Harness) -> None:
    activity = harness.activity("")
    activity["type"] = "conversationUpdate"
    assert harness.post(activity)[0] == 200
    harness.settle()
    assert harness.planner.seen == [] and harness.fake.to_connector() == []


def test_the_rate_limit_answers_once(harness_factory: Any) -> None:
    h: Harness = harness_factory("memory", teams_extra={"rate_limit_per_minute": 2})
    for i in range(4):
        assert h.say(f"question {i}")[0] == 200
    h.settle()
    assert sorted(h.planner.seen) == ["question 0", "question 1"]
    answers = h.answers()
    assert len(answers) == 3 and sum("more than 2 requests" in a for a in answers) == 1


def test_bob_is_an_ordinary_user_until_he_approves(harness: Harness) -> None:
    harness.say("what can you do", user=BOB)
    harness.settle()
    assert "turn 1" in harness.answers()[-1]
