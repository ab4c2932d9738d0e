"""The Slack harness: the real HTTP server, signed requests, a fake Slack Web API, real Redis."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import redis

from agent.runtime import Runtime
from agent.turn import Agent
from bot.slack.app import SlackApp, build_slack_app
from bot.slack.http import EVENTS_PATH, SlackHttpServer
from config import Settings, load_settings
from store.approvals import ApprovalStore
from tests.agent.doubles import Echo, RecordingChange
from tests.bot.slack.doubles import ContextPlanner, Report, tiny_png
from tests.bot.slack.fake_slack import FakeSlack
from tests.services import need, redis_url

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0001"
ALICE, BOB, CAROL, DAVE, MALLORY = "UALICE", "UBOB", "UCAROL", "UDAVE", "UMALLORY"
ONCALL_ID = "S0ONCALL"
FIXED_NOW = 1_700_000_010.0  # the rate limiter's clock: no window ever rolls over mid-test


def sign(body: str, timestamp: str, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(usergroups={ONCALL_ID: ("oncall", [DAVE]), "S0OTHER": ("dbas", [MALLORY])}).start()
    yield fake
    fake.stop()


@pytest.fixture(params=[pytest.param("redis", marks=pytest.mark.redis), "memory"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def namespace() -> Iterator[str]:
    ns = f"cloudpilot-test:{uuid.uuid4().hex}"
    yield ns
    client = redis.Redis.from_url(redis_url())
    try:
        keys = list(client.scan_iter(f"{ns}:*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass
    finally:
        client.close()


def make_settings(tmp_path: Path, fake: FakeSlack, store_kind: str, **slack: Any) -> Settings:
    if store_kind == "redis":
        need("redis")
    return load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15T12:00:00",
        redis_url=redis_url() if store_kind == "redis" else None,
        slack={
            "bot_token": "xoxb-test-token",
            "signing_secret": SECRET,
            "api_url": fake.api_url,
            "rate_limit_per_minute": 20,
            **slack,
        },
        approvals={
            "rules": [{"actions": ["*"], "users": [BOB, CAROL], "groups": ["oncall"]}],
            "expiry_minutes": 30,
        },
    )


@dataclass
class SlackDriver:
    """Sends Slack-shaped, signed requests to the app's HTTP server and reads what it posted."""

    fake: FakeSlack
    slack: SlackApp
    server: SlackHttpServer
    approvals: ApprovalStore
    _ids: Iterator[int] = field(init=False, default_factory=lambda: itertools.count(1))
    # Message timestamps differ between harnesses too (two "processes" see one channel).
    _epoch: int = field(init=False, default_factory=lambda: 1_700_001_000 + uuid.uuid4().int % 10**6)

    # -- raw requests --------------------------------------------------------------------------
    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: str | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> tuple[int, str]:
        ts = timestamp or str(int(time.time()))
        sent = {"Content-Type": content_type}
        if signed:
            sent["X-Slack-Request-Timestamp"] = ts
            sent["X-Slack-Signature"] = signature or sign(body, ts)
        sent.update(headers or {})
        host, port = self.server.server_address[:2]
        conn = http.client.HTTPConnection(str(host), port, timeout=10)
        try:
            conn.request("POST", EVENTS_PATH, body=body.encode(), headers=sent)
            resp = conn.getresponse()
            return resp.status, resp.read().decode()
        finally:
            conn.close()

    def settle(self) -> None:
        assert self.slack.wait_idle(20), "background work did not finish"

    # -- Slack-shaped requests ------------------------------------------------------------------
    def next_ts(self) -> str:
        return f"{self._epoch}.{next(self._ids):06d}"

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        envelope = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": 1700001000,
            "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": self.fake.bot_user_id, "is_bot": True}],
        }
        return self.post(json.dumps(envelope), "application/json", headers=headers)

    def mention(
        self,
        text: str,
        *,
        user: str = ALICE,
        channel: str = "C0001",
        ts: str | None = None,
        thread_ts: str | None = None,
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """Mentions the bot; returns the status and the message's ts."""
        ts = ts or self.next_ts()
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": user,
            "channel": channel,
            "ts": ts,
            "text": f"<@{self.fake.bot_user_id}> {text}",
            "event_ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        status, _ = self.event(event, event_id=event_id, headers=headers)
        return status, ts

    def message(
        self,
        text: str,
        *,
        user: str = ALICE,
        channel: str = "C0001",
        channel_type: str = "channel",
        thread_ts: str | None = None,
        **extra: Any,
    ) -> tuple[int, str]:
        ts = self.next_ts()
        event: dict[str, Any] = {
            "type": "message",
            "user": user,
            "channel": channel,
            "ts": ts,
            "text": text,
            "channel_type": channel_type,
            "event_ts": ts,
            **extra,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        status, _ = self.event(event)
        return status, ts

    def command(
        self, text: str, *, user: str = ALICE, channel: str = "C0001", trigger_id: str | None = None
    ) -> tuple[int, str]:
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "example",
            "channel_id": channel,
            "channel_name": "ops",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/cloudpilot",
            "text": text,
            "api_app_id": "A0001",
            "response_url": f"{self.fake.url}/respond/{uuid.uuid4().hex}",
            "trigger_id": trigger_id or f"trig.{uuid.uuid4().hex}",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def click(
        self,
        approval_id: str,
        *,
        user: str,
        approve: bool = True,
        channel: str = "C0001",
        message_ts: str | None = None,
        action_ts: str | None = None,
    ) -> tuple[int, str]:
        action_id = "cloudpilot_approve" if approve else "cloudpilot_reject"
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "example"},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0001",
            "token": "legacy",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "trigger_id": f"trig.{uuid.uuid4().hex}",
            "channel": {"id": channel},
            "message": {"ts": message_ts, "type": "message"},
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": f"approval:{approval_id}",
                    "value": approval_id,
                    "type": "button",
                    "action_ts": action_ts or f"{time.time():.6f}",
                }
            ],
        }
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def press(
        self,
        action_id: str,
        value: str,
        *,
        user: str,
        message_ts: str,
        channel: str = "C0001",
        thread_ts: str | None = None,
    ) -> tuple[int, str]:
        """Clicks a plain button (e.g. a suggestion) on the message `message_ts`."""
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        }
        message: dict[str, Any] = {"ts": message_ts, "type": "message"}
        if thread_ts:
            container["thread_ts"] = message["thread_ts"] = thread_ts
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "example"},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0001",
            "token": "legacy",
            "container": container,
            "trigger_id": f"trig.{uuid.uuid4().hex}",
            "channel": {"id": channel},
            "message": message,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "suggestions",
                    "value": value,
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    # -- what the app posted -----------------------------------------------------------------------
    def approval_message(self) -> tuple[str, str, dict[str, Any]]:
        """(approval id, message ts, args) of the approval request the app posted."""
        for c in self.fake.of("chat.postMessage"):
            for block in c.args.get("blocks") or []:
                if block.get("type") == "actions":
                    approval_id = block["elements"][0]["value"]
                    stored = self.approvals.get(approval_id)
                    assert stored is not None and stored.message_ref is not None
                    return approval_id, stored.message_ref.split(":")[1], c.args
        raise AssertionError(f"no approval message among {self.fake.methods()}")


@dataclass
class Harness(SlackDriver):
    """The app with its work on threads of this process, over an agent with test doubles."""

    agent: Agent
    planner: ContextPlanner
    change: RecordingChange


@pytest.fixture
def chart_png(tmp_path: Path) -> Path:
    return tiny_png(tmp_path / "chart.png")


@pytest.fixture
def harness_factory(tmp_path: Path, fake_slack: FakeSlack, namespace: str, chart_png: Path) -> Iterator[Any]:
    made: list[tuple[Runtime, SlackApp, SlackHttpServer]] = []

    def build(store_kind: str = "redis", key_space: str | None = None, **slack: Any) -> Harness:
        """`key_space`: harnesses given the same one share dedup keys (two processes, one Redis)."""
        settings = make_settings(tmp_path, fake_slack, store_kind, **slack)
        planner = ContextPlanner()
        change = RecordingChange()
        runtime = Runtime.build(settings, planner=planner, tools=[Echo(), change, Report(chart_png)])
        agent = Agent(runtime)
        slack_app = build_slack_app(
            settings,
            agent,
            namespace=f"{namespace}:{key_space or len(made)}",
            now=lambda: FIXED_NOW,
            workers=2,
        )
        server = SlackHttpServer(slack_app.app, SECRET, "127.0.0.1", 0)
        server.start()
        made.append((runtime, slack_app, server))
        return Harness(fake_slack, slack_app, server, runtime.approvals.approvals, agent, planner, change)

    yield build
    for runtime, slack_app, server in made:
        server.stop()
        slack_app.close()
        runtime.close()


@pytest.fixture
def harness(harness_factory: Any) -> Harness:
    built: Harness = harness_factory("redis")
    return built
