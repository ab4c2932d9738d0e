"""Slack retries events and delivers one message under two event types: one reply, always."""

from __future__ import annotations

from typing import Any

from tests.bot.slack.conftest import Harness


def _answers(h: Harness) -> int:
    return len(h.fake.of("chat.update"))


def test_retried_event_gets_one_reply(harness_factory: Any, store_kind: str) -> None:
    h: Harness = harness_factory(store_kind)
    _, ts = h.mention("hello", event_id="Ev0RETRY1")
    for attempt in (1, 2, 3):
        status, _ = h.mention(
            "hello",
            ts=ts,
            event_id="Ev0RETRY1",
            headers={"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert status == 200  # acknowledged, so Slack stops retrying
    h.settle()
    assert _answers(h) == 1
    assert h.planner.seen == ["hello"]


def test_message_seen_as_mention_and_as_message_gets_one_reply(harness_factory: Any, store_kind: str) -> None:
    h: Harness = harness_factory(store_kind)
    _, root = h.mention("start")
    h.settle()
    # A mention inside a thread the bot is in arrives twice: app_mention and message.channels.
    ts = h.next_ts()
    h.mention("again", ts=ts, thread_ts=root)
    h.event(
        {
            "type": "message",
            "user": "UALICE",
            "channel": "C0001",
            "ts": ts,
            "thread_ts": root,
            "channel_type": "channel",
            "text": f"<@{h.fake.bot_user_id}> again",
        }
    )
    h.settle()
    assert h.planner.seen == ["start", "again"]
    assert _answers(h) == 2


def test_retry_delivered_to_another_process_gets_no_reply(harness_factory: Any) -> None:
    first: Harness = harness_factory("redis", key_space="shared")
    second: Harness = harness_factory("redis", key_space="shared")
    _, ts = first.mention("hello", event_id="Ev0ELSEWHERE")
    second.mention("hello", ts=ts, event_id="Ev0ELSEWHERE", headers={"X-Slack-Retry-Num": "1"})
    first.settle()
    second.settle()
    assert first.planner.seen + second.planner.seen == ["hello"]
    assert _answers(first) == 1  # one fake Slack records both apps' calls


def test_follow_up_reaches_another_process(harness_factory: Any) -> None:
    first: Harness = harness_factory("redis", key_space="shared")
    second: Harness = harness_factory("redis", key_space="shared")
    _, root = first.mention("hello")
    first.settle()
    # The thread is known through Redis, and the conversation through the shared checkpoints.
    second.message("and then?", thread_ts=root)
    second.settle()
    assert second.planner.seen == ["and then?"]
    assert first.fake.of("chat.update")[-1].args["text"] == "turn 2: and then? (before that: hello)"
