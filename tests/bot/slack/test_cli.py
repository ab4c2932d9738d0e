"""`serve slack` as a real process: configuration errors, serving, and a clean SIGTERM."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.main import serve
from tests.bot.slack.conftest import SECRET, sign
from tests.bot.slack.fake_slack import FakeSlack

SERVE = "from bot.main import serve; serve()"


def test_missing_tokens_say_what_to_set() -> None:
    result = CliRunner().invoke(serve, ["slack", "--port", "0"])
    assert result.exit_code == 2
    assert "slack.bot_token" in result.output and "slack.signing_secret" in result.output
    result = CliRunner().invoke(serve, ["slack", "--mode", "socket"])
    assert "slack.app_token" in result.output and "signing_secret" not in result.output


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def _wait(pred: Callable[[], object], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_serve_answers_and_stops_cleanly(tmp_path: Path, fake_slack: FakeSlack, moto_endpoint: str) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CLOUDPILOT_", "SLACK_"))},
        "CLOUDPILOT_SLACK__BOT_TOKEN": "xoxb-cli",
        "CLOUDPILOT_SLACK__SIGNING_SECRET": SECRET,
        "CLOUDPILOT_SLACK__API_URL": fake_slack.api_url,
        "CLOUDPILOT_DATA_DIR": str(tmp_path),
        "CLOUDPILOT_AWS__ENDPOINT_URL": moto_endpoint,
        "CLOUDPILOT_NOW": "2024-10-15",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, "slack", "--host", "127.0.0.1", "--port", "0"],
        env=env,
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
        port = int(line.split("127.0.0.1:")[1].split("/")[0])
        workers = _children(proc.pid)
        assert workers, "the agent worker process runs beside the server"

        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T0001",
                "event_id": "EvCLI1",
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
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(
            "POST",
            "/slack/events",
            body=body.encode(),
            headers={
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sign(body, ts),
            },
        )
        assert conn.getresponse().status == 200
        conn.close()
        assert _wait(lambda: fake_slack.of("chat.update")), fake_slack.methods()
        assert "September 2024" in fake_slack.of("chat.update")[0].args["text"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    assert _wait(lambda: not any(Path(f"/proc/{w}").exists() for w in workers), 10), (
        "the worker outlived serve"
    )
