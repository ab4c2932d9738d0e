"""Conversation ids: Slack's stay byte-identical; others round-trip; malformed ones are refused."""

from __future__ import annotations

import pytest

from agent.messages import ChatMessage
from bot.chat.conversation import BadConversationId, ConversationRef, MessageRef


@pytest.mark.parametrize(
    ("channel", "thread"),
    [("C0123ABC", "1700000000.000100"), ("D0DM", None), ("C1", ""), ("G0PRIV", "1.2")],
)
def test_slack_ids_are_what_chat_message_always_made(channel: str, thread: str | None) -> None:
    ref = ConversationRef("slack", channel, thread)
    msg = ChatMessage(user="U1", channel=channel, thread=thread, text="hi", platform="slack")
    assert ref.conversation_id == msg.conversation_id  # existing checkpoints keep their threads
    built = ref.message("U1", "hi")
    assert built.conversation is None and built.conversation_id == msg.conversation_id
    assert (built.platform, built.channel, built.thread or None) == ("slack", channel, thread or None)
    assert ConversationRef.parse(msg.conversation_id) == ref
    assert ref.lane == f"{channel}:{thread or 'main'}"  # the durable queue's lock, as before


def test_teams_ids_with_colons_and_a_tenant_round_trip() -> None:
    ref = ConversationRef("teams", "19:abc@thread.tacv2", "1700000000123", tenant="72f988bf-86f1")
    cid = ref.conversation_id
    assert cid == "teams:72f988bf-86f1:19%3Aabc@thread.tacv2:1700000000123"
    assert ConversationRef.parse(cid) == ref
    msg = ref.message("29:1abc", "hi", ["ops"])
    assert msg.conversation_id == cid and msg.channel == "19:abc@thread.tacv2" and msg.groups == ["ops"]
    assert ConversationRef.of(msg) == ref


@pytest.mark.parametrize(
    "ref",
    [
        ConversationRef("x", "a%b", "main"),
        ConversationRef("x", "%3A", "%"),
        ConversationRef("x", "main", None, "t:1"),
        ConversationRef("x", "c", "%6Dain"),
    ],
)
def test_awkward_parts_round_trip(ref: ConversationRef) -> None:
    assert ConversationRef.parse(ref.conversation_id) == ref


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "slack",
        "slack:C1",
        "slack:C1:main:x:y",
        "Slack:C1:main",
        "slack::main",
        "slack:C1:",
        "slack:C1:1.2%3a",  # escapes have one spelling
        "slack:C1:%",
        "slack:C1:%41",
        "teams::C1:main",  # an empty tenant is written as no tenant
        "slack:C\n1:main",
        "slack:" + "C" * 300 + ":main",
    ],
)
def test_malformed_ids_are_refused(bad: str) -> None:
    with pytest.raises(BadConversationId):
        ConversationRef.parse(bad)


def test_refs_refuse_bad_parts() -> None:
    with pytest.raises(ValueError, match="platform"):
        ConversationRef("", "C1")
    with pytest.raises(ValueError, match="channel"):
        ConversationRef("slack", "")


def test_message_ref_key_is_slacks_channel_ts() -> None:
    ref = MessageRef(ConversationRef("slack", "C1", "1.2"), "1700000000.000200")
    assert ref.key == "C1:1700000000.000200"
    teams = MessageRef(ConversationRef("teams", "19:x@thread", None, "t"), "act:1")
    assert teams.key == "19%3Ax@thread:act%3A1"
