"""Scheduled digests to a Teams channel, through the scheduler (`serve digests`' runner) and
through the durable queue's periodic job (`serve worker`): each starts a thread in the channel,
answers there, and a reply in that thread continues the digest's conversation."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import procrastinate
import pytest
from procrastinate.testing import InMemoryConnector

from agent.api import DigestRuns, agent_now
from bot.digests.sources import DigestConfigError, digest_runner
from bot.digests.tasks import DIGEST_PERIODIC_ID, DIGEST_TASK, digest_provider
from bot.serve.ledger import MemoryLedger
from bot.serve.queue import QueueClient, WorkerContext, queue_url
from bot.slack.digests import source as slack_source
from bot.teams.digests import source as teams_source
from tests.bot.chat.queue_rig import QueueWorker
from tests.bot.teams.conftest import CHANNEL, TENANT, Harness
from tests.bot.teams.fake_teams import FakeTeams
from tests.services import pg_schema

QUESTION = "how are we doing?"


def _digest_settings(fake: FakeTeams, **extra: Any) -> dict[str, Any]:
    """A daily 12:00 digest (the harness's clock says 12:00) to the ops channel in Teams."""
    return {
        "teams_extra": {"tenant_id": TENANT, "service_url": fake.service_url, "channels": {"ops": CHANNEL}},
        "digests": [
            {
                "name": "daily",
                "platform": "teams",
                "channel": "ops",
                "schedule": "0 12 * * *",
                "questions": [QUESTION],
            }
        ],
        **extra,
    }


def _thread_root(fake: FakeTeams) -> str:
    """The activity id of the digest's first post: the root of its thread."""
    paths = [unquote(c.path) for c in fake.sent("POST")]
    threaded = [p for p in paths if f"{CHANNEL};messageid=" in p]
    assert threaded, paths
    return threaded[0].split(";messageid=")[1].split("/")[0]


def _follow_up_continues(h: Harness, root: str) -> None:
    before = len(h.answers())
    h.say("and since then?", thread=root)
    h.settle()
    answer = " ".join(h.answers()[before:])
    # The context planner numbers the turns of the conversation it was asked in.
    assert "turn 2: and since then?" in answer and QUESTION in answer, answer


def test_the_scheduler_posts_a_teams_digest_and_a_reply_continues_it(
    harness_factory: Any, fake_teams: FakeTeams
) -> None:
    h: Harness = harness_factory("memory", **_digest_settings(fake_teams))
    settings = h.agent.rt.settings
    with digest_runner(settings, h.agent, [slack_source(), teams_source()]) as runner:
        [outcome] = runner.run_due(agent_now(h.agent))
        assert runner.run_due(agent_now(h.agent)) == []  # the slot is taken
    assert outcome.ok, outcome.detail
    posts = [unquote(c.path) for c in fake_teams.sent("POST")]
    assert posts[0] == f"/connector/v3/conversations/{CHANNEL}/activities"
    assert "Digest daily" in h.answers()[0] and f"turn 1: {QUESTION}" in " ".join(h.answers())
    [run] = DigestRuns(h.agent.rt.store).recent("daily")
    assert run.status == "posted"
    _follow_up_continues(h, _thread_root(fake_teams))


def test_a_digest_names_a_platform_that_must_be_configured(
    harness_factory: Any, fake_teams: FakeTeams
) -> None:
    h: Harness = harness_factory("memory", **_digest_settings(fake_teams))
    settings = h.agent.rt.settings
    unconfigured = settings.model_copy(
        update={"teams": settings.teams.model_copy(update={"app_id": None, "app_password": None})}
    )
    with (
        pytest.raises(DigestConfigError, match="posts to teams: set teams.app_id"),
        digest_runner(unconfigured, h.agent, [slack_source(), teams_source()]),
    ):
        pass


def test_the_periodic_job_is_registered_only_with_digests(
    harness_factory: Any, fake_teams: FakeTeams
) -> None:
    nothing: dict[str, Any] = {}
    for extra, expected in ((nothing, False), (_digest_settings(fake_teams), True)):
        h: Harness = harness_factory("memory", **extra)
        app = procrastinate.App(connector=InMemoryConnector())
        context = WorkerContext(h.agent.rt.settings, h.agent, MemoryLedger())
        digest_provider([teams_source()])(app, context)
        assert (DIGEST_TASK in app.tasks) is expected
        periodic = app.periodic_registry.periodic_tasks.values()
        assert any(p.periodic_id == DIGEST_PERIODIC_ID for p in periodic) is expected
        for close in context.closers:
            close()


@pytest.mark.postgres
@pytest.mark.redis
def test_the_queue_periodic_job_posts_a_teams_digest_and_a_reply_continues_it(
    harness_factory: Any, fake_teams: FakeTeams
) -> None:
    with pg_schema() as database_url:
        h: Harness = harness_factory("redis", **_digest_settings(fake_teams, database_url=database_url))
        url = queue_url(database_url)
        assert url is not None
        worker = QueueWorker(h.agent.rt.settings, h.agent, [digest_provider([teams_source()])]).start()
        client = QueueClient(url, max_size=1)
        try:
            # The 12:00 run of the every-minute job, as procrastinate's periodic defer makes it.
            minute = int(datetime(2024, 10, 15, 12, 0, tzinfo=UTC).timestamp())
            client.defer(DIGEST_TASK, lock=None, timestamp=minute)
            deadline = time.monotonic() + 120
            while client.pending() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert client.pending() == 0
        finally:
            worker.stop()
            client.close()
        [run] = DigestRuns(h.agent.rt.store).recent("daily")
        assert run.status == "posted"
        _follow_up_continues(h, _thread_root(fake_teams))
