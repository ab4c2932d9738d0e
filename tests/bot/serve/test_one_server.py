"""One server for both platforms: `cloudpilot serve slack` with `[teams]` configured is one
process whose server answers a signed Slack event on /slack/events and a JWT-authenticated Teams
activity on /api/messages, and posts both answers."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.bot.slack.conftest import SECRET, sign
from tests.bot.slack.fake_slack import FakeSlack
from tests.bot.teams.conftest import TENANT
from tests.bot.teams.fake_teams import FakeTeams

SERVE = "from bot.main import serve; serve()"
USER = "aaaaaaaa-0000-0000-0000-00000000a11c"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeSlack, FakeTeams]]:
    slack, teams = FakeSlack().start(), FakeTeams().start()
    yield slack, teams
    slack.stop()
    teams.stop()


def _wait(pred: Callable[[], object], seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def _post(port: int, path: str, body: str, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(
            "POST", path, body=body.encode(), headers={"Content-Type": "application/json", **headers}
        )
        return conn.getresponse().status
    finally:
        conn.close()


def _env(tmp_path: Path, slack: FakeSlack, teams: FakeTeams, moto: str) -> dict[str, str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CLOUDPILOT_", "SLACK_"))},
        "CLOUDPILOT_SLACK__BOT_TOKEN": "xoxb-one-server",
        "CLOUDPILOT_SLACK__SIGNING_SECRET": SECRET,
        "CLOUDPILOT_SLACK__API_URL": slack.api_url,
        "CLOUDPILOT_DATA_DIR": str(tmp_path),
        "CLOUDPILOT_AWS__ENDPOINT_URL": moto,
        "CLOUDPILOT_NOW": "2024-10-15",
    }
    for key, value in teams.settings().items():
        env[f"CLOUDPILOT_TEAMS__{key.upper()}"] = json.dumps(value) if isinstance(value, list) else str(value)
    return env


def _activity(teams: FakeTeams, text: str) -> str:
    """A message in a personal chat, as the Bot Connector delivers it."""
    return json.dumps(
        {
            "type": "message",
            "id": "1700000000001",
            "timestamp": "2024-10-15T12:00:00.000Z",
            "serviceUrl": teams.service_url,
            "channelId": "msteams",
            "from": {"id": f"29:{USER}", "name": "alice", "aadObjectId": USER},
            "conversation": {"id": f"a:personal-{USER}", "conversationType": "personal", "tenantId": TENANT},
            "recipient": {"id": f"28:{teams.app_id}", "name": "CloudPilot"},
            "text": text,
            "textFormat": "plain",
            "channelData": {"tenant": {"id": TENANT}},
        }
    )


@pytest.mark.slow
def test_serve_slack_with_teams_configured_answers_both_on_one_server(
    tmp_path: Path, fakes: tuple[FakeSlack, FakeTeams], moto_endpoint: str
) -> None:
    slack, teams = fakes
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, "slack", "--host", "127.0.0.1", "--port", "0", "--worker", "thread"],
        env=_env(tmp_path, slack, teams, moto_endpoint),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        assert proc.stdout is not None
        line = ""
        while "listening" not in line:
            line = proc.stdout.readline()
            assert line, "serve slack exited before listening"
        assert "/api/messages" in line, line
        port = int(line.split("127.0.0.1:")[1].split("/")[0])

        event = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T0001",
                "event_id": "EvOneServer1",
                "event": {
                    "type": "app_mention",
                    "user": "UALICE",
                    "channel": "C0001",
                    "ts": "1700000500.000100",
                    "text": "<@UBOT> how much did we spend on EC2 last month?",
                },
            }
        )
        ts = str(int(time.time()))
        signed = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(event, ts)}
        assert _post(port, "/slack/events", event, signed) == 200
        activity = _activity(teams, "how much did we spend on EC2 last month?")
        assert _post(port, "/api/messages", activity, {"Authorization": "Bearer forged"}) == 401
        assert _post(port, "/api/messages", activity, {"Authorization": f"Bearer {teams.mint()}"}) == 200

        assert _wait(lambda: slack.of("chat.update")), slack.methods()
        assert "September 2024" in slack.of("chat.update")[0].args["text"]
        assert _wait(lambda: any("September 2024" in t for t in teams.texts())), teams.texts()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
