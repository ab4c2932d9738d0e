"""Alerts posted to Slack (the fake Web API on 127.0.0.1) with the real agent and tools: one
message per evaluation, the bot follows its thread (replies there are answered), an occurrence
posts once across runs and schedulers, and `serve digests` accepts a settings file with alerts
only, running them in its loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.runtime import Runtime
from agent.turn import Agent
from bot.digests.alerts import AlertRunner
from bot.slack.digests import slack_alerts, slack_digests
from bot.slack.gate import thread_key
from bot.slack.keystore import open_keystore
from config import load_settings
from tests.bot.slack.fake_slack import FakeSlack
from tests.conftest import REGIONS
from tests.services import redis_url

CHANNEL = "C0ALERTS"

pytestmark = pytest.mark.redis


def test_an_alert_posts_once_to_slack_in_a_followed_thread(
    fresh_moto: str, tmp_path: Path, fake_slack: FakeSlack, namespace: str
) -> None:
    settings = load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15T09:05:00",
        cost_demo_history=True,
        redis_url=redis_url(),
        aws={"mode": "sandbox", "endpoint_url": fresh_moto, "regions": REGIONS},
        slack={"bot_token": "xoxb-test-token", "api_url": fake_slack.api_url},
        alerts=[
            {
                "kind": "anomaly",
                "name": "spikes",
                "period": "last_90_days",
                "min_severity": "critical",
                "schedule": "0 9 * * *",
                "channel": CHANNEL,
            }
        ],
    )
    runtime = Runtime.build(settings)
    try:
        agent = Agent(runtime)
        with slack_alerts(settings, agent, namespace) as runner:
            [outcome] = runner.run_all()
            assert outcome.ok and outcome.posted == 2, outcome.detail
            assert runner.run_all()[0].posted == 0
        [post] = fake_slack.of("chat.postMessage")
        assert post.args["channel"] == CHANNEL and "thread_ts" not in post.args
        assert post.args["text"].startswith(":rotating_light: *Alert spikes* (anomaly) — 2 new occurrences")
        assert "Reply in this thread to ask a follow-up" in post.args["text"]
        [delivery] = outcome.deliveries
        thread = delivery.detail.rsplit("thread ", 1)[1].rstrip(")")
        keys = open_keystore(redis_url(), namespace)
        try:
            assert keys.exists(thread_key(CHANNEL, thread))  # `serve slack` answers replies there
        finally:
            keys.close()
        # `serve digests` with alerts and no digests: the alerts run in its loop, on schedule.
        with slack_digests(settings, agent, namespace) as digests:
            assert digests.digests == {} and len(digests.also) == 1
            alerts = digests.also[0]
            assert isinstance(alerts, AlertRunner)
            [scheduled] = alerts.run_due(runtime.ctx.clock.now())
            assert scheduled.ok and scheduled.posted == 0  # the occurrences were posted already
        assert len(fake_slack.of("chat.postMessage")) == 1
    finally:
        runtime.close()
