"""Socket Mode envelopes reach the same listeners as HTTP requests (no signature, same dedup)."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from tests.bot.slack.conftest import Harness


def _envelope(h: Harness, text: str, event_id: str, retry: int | None = None) -> SocketModeRequest:
    payload = {
        "type": "event_callback",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "event_id": event_id,
        "event": {
            "type": "app_mention",
            "user": "UALICE",
            "channel": "C0001",
            "ts": "1700000700.000100",
            "text": f"<@{h.fake.bot_user_id}> {text}",
        },
    }
    return SocketModeRequest(
        type="events_api",
        envelope_id=f"env-{event_id}-{retry}",
        payload=payload,
        retry_attempt=retry,
        retry_reason="timeout" if retry else None,
    )


def test_socket_mode_event_is_answered_once(harness: Harness) -> None:
    first = run_bolt_app(harness.slack.app, _envelope(harness, "hello", "EvSOCK1"))
    again = run_bolt_app(harness.slack.app, _envelope(harness, "hello", "EvSOCK1", retry=1))
    assert first.status == again.status == 200
    harness.settle()
    assert harness.planner.seen == ["hello"]
    assert [c.args["text"] for c in harness.fake.of("chat.update")] == [
        "turn 1: hello (before that: nothing)"
    ]
