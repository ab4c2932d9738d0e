"""Scheduled digests posted to Slack (the fake Web API on 127.0.0.1) with the real agent, offline
planner and tools on moto: due slots post once across schedulers, late slots are skipped, a
channel the bot cannot use fails the run with Slack's reason, and the CLI explains bad set-ups."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from agent.runtime import Runtime
from agent.turn import Agent
from bot.main import cli
from bot.slack.digests import DigestConfigError, slack_digests
from bot.slack.gate import thread_key
from bot.slack.keystore import open_keystore
from config import Settings, load_settings
from store.digests import DigestRuns
from tests.bot.slack.fake_slack import FakeSlack
from tests.conftest import REGIONS
from tests.services import redis_url

CHANNEL = "C0DIGEST"
SLOT = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)  # a Tuesday
QUESTIONS = ["how much did we spend on EC2 last month?", "are any buckets public?"]

pytestmark = pytest.mark.redis


def digest_settings(tmp_path: Path, fake: FakeSlack, moto: str, **digest: Any) -> Settings:
    return load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15T09:05:00",
        redis_url=redis_url(),
        aws={"mode": "sandbox", "endpoint_url": moto, "regions": REGIONS},
        slack={"bot_token": "xoxb-test-token", "api_url": fake.api_url},
        digests=[
            {
                "name": "weekly",
                "channel": CHANNEL,
                "schedule": "0 9 * * TUE",
                "questions": QUESTIONS,
                **digest,
            }
        ],
    )


@pytest.fixture
def agent_for(fresh_moto: str, tmp_path: Path, fake_slack: FakeSlack) -> Iterator[Any]:
    made: list[Runtime] = []

    def build(**digest: Any) -> Agent:
        runtime = Runtime.build(digest_settings(tmp_path, fake_slack, fresh_moto, **digest))
        made.append(runtime)
        return Agent(runtime)

    yield build
    for runtime in made:
        runtime.close()


def test_a_due_digest_is_posted_once_in_one_thread(
    agent_for: Any, fake_slack: FakeSlack, namespace: str
) -> None:
    agent = agent_for()
    now = agent.rt.ctx.clock.now()
    with slack_digests(agent.rt.settings, agent, namespace) as runner:
        assert runner.next_runs(now) == {"weekly": datetime(2024, 10, 22, 9, 0, tzinfo=UTC)}
        [outcome] = runner.run_due(now)
        assert (outcome.ok, outcome.slot, outcome.questions, outcome.failed) == (True, SLOT, 2, [])
        assert runner.run_due(now) == []  # the same slot again: already claimed
    posts = fake_slack.of("chat.postMessage")
    header = posts[0].args
    assert header["channel"] == CHANNEL and "thread_ts" not in header
    assert header["text"] == "*Digest weekly* — Tuesday 15 October 2024, 09:00 UTC"
    thread = posts[1].args["thread_ts"]
    assert all(p.args.get("thread_ts") == thread for p in posts[1:])
    texts = [p.args["text"] for p in posts[1:]]
    assert texts[0] == f"_{QUESTIONS[0]}_" and f"_{QUESTIONS[1]}_" in texts
    assert any("16.04" in t for t in texts), texts
    # The Slack app answers replies in the digest's thread.
    keys = open_keystore(redis_url(), namespace)
    try:
        assert keys.exists(thread_key(CHANNEL, thread))
    finally:
        keys.close()
    [run] = DigestRuns(agent.rt.store).recent("weekly")
    assert (run.slot, run.status) == (SLOT, "posted") and "2/2 questions answered" in run.detail

    # A second scheduler (another process) on the same database finds the slot taken.
    other = agent_for()
    count = len(fake_slack.of("chat.postMessage"))
    with slack_digests(other.rt.settings, other, namespace) as second:
        assert second.run_due(now) == []
    assert len(fake_slack.of("chat.postMessage")) == count


def test_a_slot_missed_beyond_its_grace_is_skipped(
    agent_for: Any, fake_slack: FakeSlack, namespace: str
) -> None:
    agent = agent_for(grace_minutes=3)
    with slack_digests(agent.rt.settings, agent, namespace) as runner:
        assert runner.run_due(agent.rt.ctx.clock.now()) == []
    assert fake_slack.of("chat.postMessage") == []
    assert DigestRuns(agent.rt.store).recent("weekly") == []


def test_a_channel_the_bot_cannot_use_fails_the_run(
    agent_for: Any, fake_slack: FakeSlack, namespace: str
) -> None:
    fake_slack.not_in_channel.add(CHANNEL)
    agent = agent_for()
    with slack_digests(agent.rt.settings, agent, namespace) as runner:
        [outcome] = runner.run_due(agent.rt.ctx.clock.now())
    assert not outcome.ok and outcome.detail == f"could not post to {CHANNEL}: not_in_channel"
    [run] = DigestRuns(agent.rt.store).recent("weekly")
    assert run.status == "failed" and "not_in_channel" in run.detail


def test_bad_digest_settings_are_refused(tmp_path: Path, fake_slack: FakeSlack, fresh_moto: str) -> None:
    with pytest.raises(ValidationError, match="digest names must be unique: weekly"):
        load_settings(
            digests=[
                {"name": "weekly", "channel": "C1", "schedule": "0 9 * * *"},
                {"name": "weekly", "channel": "C2", "schedule": "0 9 * * *"},
            ]
        )
    with pytest.raises(ValidationError):
        load_settings(digests=[{"name": "Weekly Report", "channel": "C1", "schedule": "0 9 * * *"}])
    settings = digest_settings(tmp_path, fake_slack, fresh_moto, schedule="0 25 * * *")
    runtime = Runtime.build(settings)
    try:
        with (
            pytest.raises(ValueError, match="digest 'weekly': The hour field"),
            slack_digests(settings, Agent(runtime)),
        ):
            pass
        no_token = settings.model_copy(
            update={"slack": settings.slack.model_copy(update={"bot_token": None})}
        )
        with (
            pytest.raises(DigestConfigError, match="slack.bot_token"),
            slack_digests(no_token, Agent(runtime)),
        ):
            pass
    finally:
        runtime.close()


def test_digest_commands(tmp_path: Path, fake_slack: FakeSlack, fresh_moto: str) -> None:
    env = {
        "CLOUDPILOT_DATA_DIR": str(tmp_path / "data"),
        "CLOUDPILOT_NOW": "2024-10-15T09:05:00",
        "CLOUDPILOT_AWS__ENDPOINT_URL": fresh_moto,
        "CLOUDPILOT_SLACK__BOT_TOKEN": "xoxb-test-token",
        "CLOUDPILOT_SLACK__API_URL": fake_slack.api_url,
        "CLOUDPILOT_DIGESTS": '[{"name": "daily", "channel": "C0DIGEST", "schedule": "30 8 * * *", '
        '"questions": ["how much did we spend on EC2 last month?"]}]',
    }
    runner = CliRunner()
    listed = runner.invoke(cli, ["digest", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "daily" in listed.output and "2024-10-16 08:30 UTC" in listed.output
    unknown = runner.invoke(cli, ["digest", "send", "weekly"], env=env)
    assert unknown.exit_code == 2 and "No digest 'weekly' (configured: daily)" in unknown.output
    sent = runner.invoke(cli, ["digest", "send", "daily"], env=env)
    assert sent.exit_code == 0, sent.output
    assert "Digest daily: 1/1 questions answered" in sent.output
    assert any("16.04" in c.args.get("text", "") for c in fake_slack.of("chat.postMessage"))
    empty = runner.invoke(cli, ["digest", "list"], env={**env, "CLOUDPILOT_DIGESTS": "[]"})
    assert "No digests configured" in empty.output


def test_the_scheduler_loop_posts_due_digests_until_stopped(
    agent_for: Any, fake_slack: FakeSlack, namespace: str
) -> None:
    agent = agent_for()
    stop = threading.Event()
    with slack_digests(agent.rt.settings, agent, namespace) as runner:
        loop = threading.Thread(target=runner.serve, args=(stop, agent.rt.ctx.clock.now))
        loop.start()
        try:
            deadline = time.monotonic() + 30
            while not DigestRuns(agent.rt.store).recent("weekly") or (
                DigestRuns(agent.rt.store).recent("weekly")[0].status == "running"
            ):
                assert time.monotonic() < deadline, "the loop posted nothing"
                time.sleep(0.05)
        finally:
            stop.set()
            loop.join(10)
    assert not loop.is_alive()
    assert [r.status for r in DigestRuns(agent.rt.store).recent("weekly")] == ["posted"]
