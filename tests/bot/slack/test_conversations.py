"""Mentions, DMs, the slash command and thread follow-ups, through the real HTTP server."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.agent.doubles import call
from tests.bot.slack.conftest import ALICE, BOB, Harness


def _updates(h: Harness, channel: str = "C0001") -> list[dict[str, Any]]:
    return [c.args for c in h.fake.of("chat.update") if c.args.get("channel") == channel]


def _texts(h: Harness, channel: str = "C0001") -> list[str]:
    return [u["text"] for u in _updates(h, channel)]


def test_mention_gets_a_threaded_answer(harness: Harness) -> None:
    status, ts = harness.mention("hello there")
    assert status == 200
    harness.settle()
    (placeholder,) = harness.fake.of("chat.postMessage")
    assert placeholder.args["thread_ts"] == ts and "Working on it" in placeholder.args["text"]
    assert placeholder.token == "xoxb-test-token"
    (update,) = _updates(harness)
    assert update["ts"] == "1700000000.000001"  # the placeholder, updated in place
    assert update["text"] == "turn 1: hello there (before that: nothing)"
    assert update["blocks"][0]["type"] == "section"
    assert harness.planner.seen == ["hello there"]


def test_follow_up_in_thread_keeps_context(harness: Harness) -> None:
    _, root = harness.mention("what did we spend on EC2?")
    harness.settle()
    # A reply in the thread, without mentioning the bot.
    status, _ = harness.message("and last month?", thread_ts=root)
    assert status == 200
    harness.settle()
    assert _texts(harness) == [
        "turn 1: what did we spend on EC2? (before that: nothing)",
        "turn 2: and last month? (before that: what did we spend on EC2?)",
    ]
    posts = harness.fake.of("chat.postMessage")
    assert [p.args["thread_ts"] for p in posts] == [root, root]


def test_mention_inside_a_thread_continues_it(harness: Harness) -> None:
    _, root = harness.mention("first")
    harness.settle()
    harness.mention("second", thread_ts=root)
    harness.settle()
    assert _texts(harness)[-1] == "turn 2: second (before that: first)"


def test_other_threads_and_plain_channel_chatter_are_ignored(harness: Harness) -> None:
    harness.message("unrelated talk", thread_ts="1699999999.000001")
    harness.message("top-level chatter")
    harness.message("edited", subtype="message_changed")
    harness.message("from a bot", bot_id="B0OTHER")
    harness.settle()
    assert set(harness.fake.methods()) <= {"auth.test"}
    assert harness.planner.seen == []


def test_direct_messages_are_one_conversation(harness: Harness) -> None:
    harness.message("hi", channel="D0001", channel_type="im")
    harness.settle()
    harness.message("and then?", channel="D0001", channel_type="im")
    harness.settle()
    posts = harness.fake.of("chat.postMessage")
    assert len(posts) == 2 and all("thread_ts" not in p.args for p in posts)  # top level in a DM
    assert _texts(harness, "D0001") == [
        "turn 1: hi (before that: nothing)",
        "turn 2: and then? (before that: hi)",
    ]


def test_slash_command_answers_in_a_thread_of_its_own(harness: Harness) -> None:
    status, body = harness.command("what can you do?")
    assert status == 200 and body == ""
    harness.settle()
    root, placeholder = harness.fake.of("chat.postMessage")
    assert root.args["text"] == f"<@{ALICE}> asked: what can you do?" and "thread_ts" not in root.args
    assert placeholder.args["thread_ts"] == "1700000000.000001"
    assert _texts(harness) == ["turn 1: what can you do? (before that: nothing)"]
    # A reply in the command's thread is a follow-up of the same conversation.
    harness.message("more please", thread_ts="1700000000.000001")
    harness.settle()
    assert _texts(harness)[-1] == "turn 2: more please (before that: what can you do?)"


def test_empty_slash_command_shows_usage(harness: Harness) -> None:
    status, body = harness.command("   ")
    assert status == 200 and "/cloudpilot what did we spend" in body
    harness.settle()
    assert harness.planner.seen == []


def test_slash_command_where_the_bot_is_not_invited_answers_privately(harness: Harness) -> None:
    harness.fake.not_in_channel.add("C0PRIVATE")
    harness.command("hello", channel="C0PRIVATE")
    harness.settle()
    (respond,) = harness.fake.of("respond")
    assert respond.args["response_type"] == "ephemeral"
    assert respond.args["text"] == "turn 1: hello (before that: nothing)"


def test_rich_reply_becomes_blocks_and_uploads(harness: Harness) -> None:
    harness.planner.calls = [call("report", rows=3)]
    _, root = harness.mention("show me the report")
    harness.settle()
    (update,) = _updates(harness)
    kinds = [b["type"] for b in update["blocks"]]
    assert kinds[0] == "section" and "context" in kinds
    flat = str(update["blocks"])
    assert "svc-0" in flat and "1,000.50" in flat  # the table, numbers formatted
    assert "main.tf" in flat and "aws_s3_bucket" in flat  # the code block
    assert "<https://example.com/runbooks/ssh#22|runbooks/ssh.md § Closing port 22>" in flat
    # The chart and the named code file went up with files_upload_v2, in the thread.
    assert harness.fake.methods().count("files.getUploadURLExternal") == 2
    raws = [u.raw for u in harness.fake.of("upload")]
    assert sum(r.startswith(b"\x89PNG") for r in raws) == 1 and sum(b"aws_s3_bucket" in r for r in raws) == 1
    done = harness.fake.of("files.completeUploadExternal")
    assert {d.args["channel_id"] for d in done} == {"C0001"} and {d.args["thread_ts"] for d in done} == {root}
    assert sorted(d.args["files"][0]["title"] for d in done) == ["Monthly cost", "main.tf"]


def test_rate_limit_gives_one_friendly_notice(harness_factory: Any) -> None:
    h: Harness = harness_factory("redis", rate_limit_per_minute=2)
    for i in range(4):
        h.mention(f"question {i}")
    h.settle()
    assert h.planner.seen == ["question 0", "question 1"]
    (notice,) = h.fake.of("chat.postEphemeral")
    assert notice.args["user"] == ALICE and "try again in" in notice.args["text"]
    # Somebody else is not limited by Alice's burst.
    h.mention("mine", user=BOB)
    h.settle()
    assert h.planner.seen[-1] == "mine"


def test_errors_reach_the_user_with_a_reference(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.fake.failures["chat.update"] = "internal_error"
    with caplog.at_level(logging.ERROR, logger="cloudpilot.slack"):
        harness.mention("hello")
        harness.settle()
    sorry = [p.args["text"] for p in harness.fake.of("chat.postMessage") if "Sorry" in p.args["text"]]
    assert len(sorry) == 1 and "reference err-" in sorry[0]
    ref = sorry[0].split("reference ")[1].rstrip(").")
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)
    assert "internal_error" not in sorry[0]  # details stay in the log


def test_overlong_message_is_refused_politely(harness: Harness) -> None:
    harness.mention("x" * 9000)
    harness.settle()
    assert "too long" in _texts(harness)[0]
    assert harness.planner.seen == []


def test_failed_upload_keeps_the_answer_and_says_what_is_missing(harness: Harness) -> None:
    harness.fake.failures["files.completeUploadExternal"] = "internal_error"
    harness.planner.calls = [call("report", rows=2)]
    _, root = harness.mention("report please")
    harness.settle()
    (update,) = _updates(harness)
    assert update["text"].startswith("Here is the report")  # the answer was not replaced
    sorry = [p.args for p in harness.fake.of("chat.postMessage") if "Sorry" in p.args["text"]]
    assert len(sorry) == 1 and sorry[0]["thread_ts"] == root and "reference err-" in sorry[0]["text"]
