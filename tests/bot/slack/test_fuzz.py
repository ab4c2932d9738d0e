"""Ingress fuzz: thousands of mutated requests, signed and unsigned, get a 4xx or a 200 — never a
5xx, never a dropped connection — and the server keeps answering.

Bounded: `COUNT` requests or `BUDGET_S` seconds, whichever comes first (at least `MIN_COUNT`
must have been sent). The random seed is printed, so a failure can be replayed with FUZZ_SEED.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import http.client
import json
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

from bot.slack.jobs import Job
from bot.slack.render import SUGGESTION_ACTION
from tests.bot.slack.conftest import SECRET, Harness

COUNT = 3000
MIN_COUNT = 1500
BUDGET_S = 90.0


class CountingSink:
    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self._lock = threading.Lock()

    def submit(self, lane: str, job: Job) -> None:
        with self._lock:
            self.jobs.append(job)

    def wait_idle(self, timeout: float | None = None) -> bool:
        return True

    def close(self) -> None:
        pass


def _bases(bot: str) -> list[tuple[str, Any]]:
    mention: dict[str, Any] = {
        "token": "legacy",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": "Ev0FUZZ",
        "event_time": 1700001000,
        "event": {
            "type": "app_mention",
            "user": "UALICE",
            "channel": "C0001",
            "ts": "1700001000.000100",
            "text": f"<@{bot}> hello",
            "event_ts": "1700001000.000100",
        },
        "authorizations": [{"team_id": "T0001", "user_id": bot, "is_bot": True}],
    }
    message = copy.deepcopy(mention)
    message["event"].update(type="message", channel_type="im", channel="D0001")
    click: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "example"},
        "user": {"id": "UBOB", "team_id": "T0001"},
        "api_app_id": "A0001",
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": "C0001"},
        "trigger_id": "trig.1",
        "channel": {"id": "C0001"},
        "message": {"ts": "1.000001", "type": "message"},
        "actions": [
            {
                "action_id": "cloudpilot_approve",
                "block_id": "approval:ap-1",
                "value": "ap-1",
                "type": "button",
            }
        ],
    }
    suggestion = copy.deepcopy(click)
    suggestion["actions"][0].update(action_id=f"{SUGGESTION_ACTION}_0", value="what did we spend?")
    command = {
        "token": "legacy",
        "team_id": "T0001",
        "channel_id": "C0001",
        "user_id": "UALICE",
        "command": "/cloudpilot",
        "text": "costs?",
        "response_url": "http://127.0.0.1:9/respond",
        "trigger_id": "trig.2",
    }
    return [
        ("json", mention),
        ("json", message),
        ("json", {"type": "url_verification", "token": "x", "challenge": "c"}),
        ("payload", click),
        ("payload", suggestion),
        ("form", command),
    ]


_WEIRD: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5e308,
    "",
    "x" * 3000,
    "\ud800",
    "17\u00b2",
    [],
    {},
    [[[[[]]]]],
    {"id": 5},
    {"id": None},
    ["a", {"b": []}],
    10**30,
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _mutate_tree(rng: random.Random, data: Any) -> Any:
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = rng.choice(paths)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        roll = rng.random()
        if roll < 0.15 and isinstance(parent, dict):
            del parent[path[-1]]
        elif roll < 0.25:
            depth = rng.choice([10, 60, 200, 3000])
            parent[path[-1]] = json.loads("[" * depth + "]" * depth) if depth < 900 else [0]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(_WEIRD))
    return data


def _encode(kind: str, data: Any) -> tuple[str, str]:
    if kind == "json":
        return json.dumps(data), "application/json"
    if kind == "payload":
        return urlencode({"payload": json.dumps(data)}), "application/x-www-form-urlencoded"
    if isinstance(data, dict):
        fields = {str(k): json.dumps(v) if not isinstance(v, str) else v for k, v in data.items()}
        return urlencode(
            fields, encoding="utf-8", errors="surrogatepass"
        ), "application/x-www-form-urlencoded"
    return json.dumps(data), "application/x-www-form-urlencoded"


def _mutate_bytes(rng: random.Random, body: bytes) -> bytes:
    data = bytearray(body)
    for _ in range(rng.randint(1, 8)):
        roll = rng.random()
        if not data:
            data += bytes([rng.randrange(256)])
        elif roll < 0.4:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif roll < 0.6:
            del data[rng.randrange(len(data)) :]
        elif roll < 0.8:
            at = rng.randrange(len(data))
            data[at:at] = rng.choice([b"\xff\xfe", b"{", b"[" * 5000, b"\\ud800", b"%", b"\x00", b'"'])
        else:
            data += data[: rng.randrange(len(data))]
    return bytes(data)


def sign_bytes(body: bytes, timestamp: str) -> bytes:
    """Slack's signature over the raw bytes (the fuzzed body need not be UTF-8)."""
    mac = hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return b"v0=" + mac.hexdigest().encode()


def _bad_headers(rng: random.Random, body: bytes) -> dict[str, bytes]:
    ts = str(int(time.time()))
    good_sig = sign_bytes(body, ts)
    choice = rng.randrange(10)
    if choice == 0:
        return {"X-Slack-Request-Timestamp": "17\u00b2".encode("latin-1"), "X-Slack-Signature": good_sig}
    if choice == 1:
        return {"X-Slack-Request-Timestamp": b"1" * 5000, "X-Slack-Signature": good_sig}
    if choice == 2:
        return {"X-Slack-Request-Timestamp": ts.encode(), "X-Slack-Signature": "v0=\u2713\u00e9".encode()}
    if choice == 3:
        return {"X-Slack-Request-Timestamp": b"-5", "X-Slack-Signature": b"v0=" + b"g" * 64}
    if choice == 4:
        return {"X-Slack-Request-Timestamp": ts.encode() + b" ", "X-Slack-Signature": good_sig.upper()}
    if choice == 5:
        return {"X-Slack-Signature": good_sig}
    if choice == 6:
        return {"X-Slack-Request-Timestamp": b"\xb2\xb3", "X-Slack-Signature": b"\xff" * 67}
    if choice == 7:
        return {"X-Slack-Request-Timestamp": b"1700000000", "X-Slack-Signature": good_sig}
    if choice == 8:
        return {"X-Slack-Request-Timestamp": ts.encode(), "X-Slack-Signature": good_sig[:-1] + b"0"}
    return {}


def _send(
    address: tuple[str, int], method: str, body: bytes, content_type: bytes, headers: dict[str, bytes]
) -> int | str:
    conn = http.client.HTTPConnection(address[0], address[1], timeout=20)
    try:
        conn.putrequest(method, "/slack/events", skip_accept_encoding=True)
        conn.putheader("Content-Type", content_type)
        conn.putheader("Content-Length", str(len(body)))
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders(body)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except Exception as exc:  # a dropped connection, a reset, a timeout
        return f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()


def test_fuzzed_requests_never_get_5xx_or_a_dropped_connection(harness_factory: Any) -> None:
    h: Harness = harness_factory("memory")
    sink = CountingSink()
    h.slack.gate.sink = sink
    seed = int(os.environ.get("FUZZ_SEED") or random.randrange(1 << 30))
    print(f"FUZZ_SEED={seed}")
    bases = _bases(h.fake.bot_user_id)
    address = h.server.server_address

    def one(i: int) -> tuple[str, int | str]:
        r = random.Random(seed * 1_000_003 + i)
        kind, data = r.choice(bases)
        signed = r.random() < 0.6
        mode = r.random()
        if mode < 0.55:
            text, ctype = _encode(kind, _mutate_tree(r, data))
            body = text.encode("utf-8", "surrogatepass")
        elif mode < 0.9:
            text, ctype = _encode(kind, data)
            body = _mutate_bytes(r, text.encode())
        else:
            text, ctype = _encode(kind, data)
            body = text.encode()
        if r.random() < 0.1:
            ctype = r.choice(["text/plain", "", "application/json; charset=\u00e9", "multipart/form-data"])
        method = (
            "POST" if r.random() < 0.93 else r.choice(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
        )
        if signed:
            ts = str(int(time.time()))
            headers = {"X-Slack-Request-Timestamp": ts.encode(), "X-Slack-Signature": sign_bytes(body, ts)}
        else:
            headers = _bad_headers(r, body)
        label = f"{'signed' if signed else 'unsigned'} {method} {kind}"
        return label, _send(address, method, body, ctype.encode("latin-1", "replace"), headers)

    results: list[tuple[str, int | str]] = []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        batch = 200
        for start in range(0, COUNT, batch):
            results += list(pool.map(one, range(start, start + batch)))
            if time.monotonic() - started > BUDGET_S:
                break
    elapsed = time.monotonic() - started
    statuses = Counter(status for _, status in results)
    bad = [(label, status) for label, status in results if not isinstance(status, int) or status >= 500]
    print(f"{len(results)} requests in {elapsed:.1f} s: {dict(statuses)}; {len(sink.jobs)} jobs queued")
    assert len(results) >= MIN_COUNT, f"only {len(results)} requests in {elapsed:.0f} s"
    assert not bad, f"{len(bad)} requests got a 5xx or lost their connection, e.g. {bad[:10]} (seed {seed})"
    assert statuses.get(200, 0) > 0 and statuses.get(401, 0) > 0 and statuses.get(400, 0) > 0
    # ...and the server still answers real work.
    h.slack.gate.sink = h.slack.sink
    status, _ = h.mention("still alive?", user="UFRESH")  # the fuzzed users are over their rate limit
    assert status == 200
    h.settle()
    assert h.planner.seen[-1] == "still alive?"
