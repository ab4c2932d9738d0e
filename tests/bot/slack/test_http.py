"""The HTTP endpoint refuses what Slack did not sign and what is not a Slack payload."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlencode

import pytest

from tests.bot.slack.conftest import Harness, sign


def _no_work(h: Harness) -> None:
    h.settle()
    assert h.planner.seen == []
    assert not {m for m in h.fake.methods() if m.startswith(("chat.", "files.", "usergroups."))}


def _mention_body(h: Harness) -> str:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0001",
            "event_id": "EvSIG1",
            "event": {
                "type": "app_mention",
                "user": "UALICE",
                "channel": "C0001",
                "ts": "1.000001",
                "text": f"<@{h.fake.bot_user_id}> hi",
            },
        }
    )


def test_bad_signature_is_refused(harness: Harness) -> None:
    body = _mention_body(harness)
    ts = str(int(time.time()))
    status, _ = harness.post(body, "application/json", timestamp=ts, signature=sign(body, ts, "wrong-secret"))
    assert status == 401
    _no_work(harness)


def test_tampered_body_is_refused(harness: Harness) -> None:
    body = _mention_body(harness)
    ts = str(int(time.time()))
    status, _ = harness.post(
        body.replace("hi", "rm -rf"), "application/json", timestamp=ts, signature=sign(body, ts)
    )
    assert status == 401
    _no_work(harness)


@pytest.mark.parametrize("drop", ["X-Slack-Signature", "X-Slack-Request-Timestamp", "both"])
def test_missing_headers_are_refused(harness: Harness, drop: str) -> None:
    body = _mention_body(harness)
    ts = str(int(time.time()))
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(body, ts)}
    if drop == "both":
        headers = {}
    else:
        del headers[drop]
    status, _ = harness.post(body, "application/json", headers=headers, signed=False)
    assert status == 401
    _no_work(harness)


@pytest.mark.parametrize("skew", [-600, 600])
def test_stale_or_future_timestamp_is_refused(harness: Harness, skew: int) -> None:
    body = _mention_body(harness)
    ts = str(int(time.time()) + skew)
    status, _ = harness.post(body, "application/json", timestamp=ts, signature=sign(body, ts))
    assert status == 401
    _no_work(harness)


def test_non_numeric_timestamp_is_refused(harness: Harness) -> None:
    body = _mention_body(harness)
    status, _ = harness.post(body, "application/json", timestamp="soon", signature=sign(body, "soon"))
    assert status == 401
    _no_work(harness)


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ('{"type": "event_callback", "event": ', "application/json", 400),  # malformed JSON
        ("[1, 2, 3]", "application/json", 400),  # not an object
        ('{"no_type": true}', "application/json", 400),
        ('{"type": "event_callback", "event": "nope"}', "application/json", 400),
        ('{"type": "something_new"}', "application/json", 404),  # unknown payload type
        (urlencode({"payload": "{not json"}), "application/x-www-form-urlencoded", 400),
        (urlencode({"payload": '{"type": "weird_interaction"}'}), "application/x-www-form-urlencoded", 404),
        (urlencode({"payload": '{"type": "block_actions"}'}), "application/x-www-form-urlencoded", 400),
        (
            urlencode({"payload": '{"type": "block_actions", "user": {"id": "U1"}, "actions": ["x"]}'}),
            "application/x-www-form-urlencoded",
            400,
        ),
        (urlencode({"payload": "[]"}), "application/x-www-form-urlencoded", 400),
        (urlencode({"command": "/other", "text": "hi"}), "application/x-www-form-urlencoded", 404),
        ("", "application/x-www-form-urlencoded", 400),
    ],
)
def test_malformed_or_unknown_payloads_get_4xx(
    harness: Harness, body: str, content_type: str, expected: int
) -> None:
    status, _ = harness.post(body, content_type)
    assert status == expected
    _no_work(harness)
    # ...and the server is still fine.
    status, _ = harness.mention("still alive?")
    assert status == 200
    harness.settle()
    assert harness.planner.seen == ["still alive?"]


def test_non_utf8_body_gets_400(harness: Harness) -> None:
    host, port = harness.server.server_address[:2]
    raw = b"\xff\xfe\x00garbage"
    ts = str(int(time.time()))
    conn = http.client.HTTPConnection(str(host), port, timeout=5)
    conn.request(
        "POST",
        "/slack/events",
        body=raw,
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": "v0=00",
        },
    )
    assert conn.getresponse().status == 400
    conn.close()


def test_url_verification_challenge(harness: Harness) -> None:
    body = json.dumps({"type": "url_verification", "token": "legacy", "challenge": "c-123"})
    status, text = harness.post(body, "application/json")
    assert status == 200 and "c-123" in text


def test_other_event_types_are_acknowledged_and_ignored(harness: Harness) -> None:
    status, _ = harness.event({"type": "reaction_added", "user": "UALICE", "reaction": "eyes"})
    assert status == 200
    _no_work(harness)


def test_paths_health_and_size_limits(harness: Harness) -> None:
    host, port = harness.server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), port, timeout=5)
    conn.request("GET", "/health")
    resp = conn.getresponse()
    assert (resp.status, resp.read()) == (200, b"ok")
    conn.request("POST", "/elsewhere", body=b"{}", headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    assert resp.status == 404
    resp.read()
    conn.close()
    conn = http.client.HTTPConnection(str(host), port, timeout=5)
    conn.putrequest("POST", "/slack/events")
    conn.putheader("Content-Length", str(5 << 20))
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()
