"""The Teams harness: the real HTTP server with `/api/messages`, activities carrying JWTs signed by
a local issuer, a fake Bot Connector and Graph on 127.0.0.1, real Redis or the in-process store."""

from __future__ import annotations

import http.client
import itertools
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis

from agent.runtime import Runtime
from agent.turn import Agent
from bot.serve.server import HttpServer, Service, build_asgi
from bot.teams.app import TeamsApp, build_teams_app
from bot.teams.endpoint import MESSAGES_PATH
from config import Settings, load_settings
from store.approvals import ApprovalStore
from tests.agent.doubles import Echo, RecordingChange
from tests.bot.chat.doubles import ContextPlanner, Report, tiny_png
from tests.bot.teams.fake_teams import FakeTeams
from tests.services import need, redis_url

TENANT = "11111111-2222-3333-4444-555555555555"
ALICE = "aaaaaaaa-0000-0000-0000-00000000a11c"
BOB = "bbbbbbbb-0000-0000-0000-0000000000b0"
CAROL = "cccccccc-0000-0000-0000-00000000ca01"
DAVE = "dddddddd-0000-0000-0000-00000000da4e"
MALLORY = "eeeeeeee-0000-0000-0000-0000000bad00"
ONCALL_GROUP = "99999999-0000-0000-0000-0000000000ca"
CHANNEL = "19:ops-channel@thread.tacv2"
TEAM = "19:ops-team@thread.tacv2"
FIXED_NOW = 1_700_000_010.0


@pytest.fixture
def fake_teams() -> Iterator[FakeTeams]:
    fake = FakeTeams(entra={ONCALL_GROUP: {DAVE}}).start()
    yield fake
    fake.stop()


@pytest.fixture
def namespace() -> Iterator[str]:
    ns = f"cloudpilot-test-teams:{uuid.uuid4().hex}"
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


def teams_settings(
    tmp_path: Path,
    fake: FakeTeams,
    store_kind: str = "memory",
    teams_extra: dict[str, Any] | None = None,
    **extra: Any,
) -> Settings:
    if store_kind == "redis":
        need("redis")
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "now": "2024-10-15T12:00:00",
        "redis_url": redis_url() if store_kind == "redis" else None,
        "teams": fake.settings(
            **{
                "groups": {"oncall": f"entra:{ONCALL_GROUP}"},
                "rate_limit_per_minute": 20,
                **(teams_extra or {}),
            }
        ),
        "approvals": {
            "rules": [{"actions": ["*"], "users": ["bob", "carol"], "groups": ["oncall"]}],
            "expiry_minutes": 30,
        },
        "identities": {"bob": [BOB], "carol": [CAROL], "dave": [DAVE]},
    }
    values.update(extra)
    return load_settings(**values)


@dataclass
class TeamsDriver:
    """Sends Teams-shaped activities, with tokens from the fake issuer, and reads what the bot sent."""

    fake: FakeTeams
    teams: TeamsApp
    server: HttpServer
    approvals: ApprovalStore
    _ids: Iterator[int] = field(init=False, default_factory=lambda: itertools.count(1))

    def post(self, body: dict[str, Any] | bytes, token: str | None = "mint") -> tuple[int, str]:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token == "mint":
            token = self.fake.mint()
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        host, port = self.server.server_address
        conn = http.client.HTTPConnection(host, port, timeout=20)
        try:
            conn.request("POST", MESSAGES_PATH, body=raw, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read().decode()
        finally:
            conn.close()

    def settle(self) -> None:
        assert self.teams.wait_idle(30), "background work did not finish"

    def next_id(self) -> str:
        return f"17000{next(self._ids):08d}"

    def activity(
        self,
        text: str,
        *,
        user: str = ALICE,
        kind: str = "channel",
        thread: str | None = None,
        mention: bool = True,
        activity_id: str | None = None,
        conversation: str | None = None,
    ) -> dict[str, Any]:
        activity_id = activity_id or self.next_id()
        bot = {"id": f"28:{self.fake.app_id}", "name": "CloudPilot"}
        if kind == "channel":
            conv_id = f"{CHANNEL};messageid={thread or activity_id}"
            conv = {"id": conv_id, "conversationType": "channel", "tenantId": TENANT, "isGroup": True}
            channel_data: dict[str, Any] = {
                "teamsChannelId": CHANNEL,
                "teamsTeamId": TEAM,
                "channel": {"id": CHANNEL},
                "team": {"id": TEAM},
                "tenant": {"id": TENANT},
            }
        else:
            conv = {
                "id": conversation or f"a:personal-{user}",
                "conversationType": "personal",
                "tenantId": TENANT,
            }
            channel_data = {"tenant": {"id": TENANT}}
        body: dict[str, Any] = {
            "type": "message",
            "id": activity_id,
            "timestamp": "2024-10-15T12:00:00.000Z",
            "serviceUrl": self.fake.service_url,
            "channelId": "msteams",
            "from": {"id": f"29:{user}", "name": user[:4], "aadObjectId": user},
            "conversation": conv,
            "recipient": bot,
            "text": f"<at>CloudPilot</at> {text}" if mention else text,
            "textFormat": "plain",
            "channelData": channel_data,
        }
        if mention:
            body["entities"] = [{"type": "mention", "mentioned": bot, "text": "<at>CloudPilot</at>"}]
        if thread:
            body["replyToId"] = thread
        return body

    def say(self, text: str, **kwargs: Any) -> tuple[int, str]:
        """Posts a message; returns the status and the activity id (a channel post starts a thread)."""
        body = self.activity(text, **kwargs)
        status, _ = self.post(body)
        return status, str(body["id"])

    def invoke(
        self,
        verb: str,
        data: Any,
        *,
        user: str,
        card_id: str,
        conversation: str,
        activity_id: str | None = None,
    ) -> dict[str, Any]:
        return {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "id": activity_id or f"f:{uuid.uuid4().hex}",
            "timestamp": "2024-10-15T12:00:00.000Z",
            "serviceUrl": self.fake.service_url,
            "channelId": "msteams",
            "from": {"id": f"29:{user}", "name": user[:4], "aadObjectId": user},
            "conversation": {"id": conversation, "tenantId": TENANT, "conversationType": "channel"},
            "recipient": {"id": f"28:{self.fake.app_id}", "name": "CloudPilot"},
            "replyToId": card_id,
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
            "channelData": {"tenant": {"id": TENANT}, "channel": {"id": CHANNEL}},
        }

    # -- what the bot sent ----------------------------------------------------------------------
    def approval_card(self) -> tuple[str, str, str, dict[str, Any]]:
        """(approval id, card activity id, connector conversation, action data) of the last card."""
        for call in reversed(self.fake.to_connector()):
            if call.method != "POST" or not isinstance(call.body, dict):
                continue
            for attachment in call.body.get("attachments") or []:
                actions = (attachment.get("content") or {}).get("actions") or []
                if actions and actions[0].get("type") == "Action.Execute":
                    data = actions[0]["data"]
                    stored = self.approvals.get(data["approvalId"])
                    assert stored is not None and stored.message_ref is not None
                    conversation = call.path.split("/v3/conversations/")[1].split("/activities")[0]
                    card_id = stored.message_ref.rsplit(":", 1)[1]
                    return data["approvalId"], card_id, conversation, data
        raise AssertionError("no approval card was posted")

    def answers(self) -> list[str]:
        """The text of each message the bot posted (cards' JSON), in order."""
        return self.fake.texts("POST")


@dataclass
class Harness(TeamsDriver):
    agent: Agent = field(default=None)  # type: ignore[assignment]
    planner: ContextPlanner = field(default=None)  # type: ignore[assignment]
    change: RecordingChange = field(default=None)  # type: ignore[assignment]


def serve(teams: TeamsApp) -> HttpServer:
    service = Service(routes=teams.endpoint.routes(), limits=teams.endpoint.limits)
    return HttpServer(build_asgi(service), "127.0.0.1", 0, teams.endpoint.limits).start()


@pytest.fixture
def harness_factory(tmp_path: Path, fake_teams: FakeTeams, namespace: str) -> Iterator[Any]:
    made: list[tuple[Runtime, TeamsApp, HttpServer]] = []
    chart = tiny_png(tmp_path / "chart.png")

    def build(store_kind: str = "memory", teams_extra: dict[str, Any] | None = None, **extra: Any) -> Harness:
        settings = teams_settings(tmp_path, fake_teams, store_kind, teams_extra, **extra)
        planner = ContextPlanner()
        change = RecordingChange()
        runtime = Runtime.build(settings, planner=planner, tools=[Echo(), change, Report(chart)])
        agent = Agent(runtime)
        teams = build_teams_app(settings, agent, namespace=f"{namespace}:{len(made)}", now=lambda: FIXED_NOW)
        server = serve(teams)
        made.append((runtime, teams, server))
        return Harness(fake_teams, teams, server, runtime.approvals.approvals, agent, planner, change)

    yield build
    for runtime, teams, server in made:
        server.stop()
        teams.close()
        runtime.close()


@pytest.fixture
def harness(harness_factory: Any) -> Harness:
    built: Harness = harness_factory("memory")
    return built
