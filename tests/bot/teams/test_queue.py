"""Teams over the durable queue: the front only checks, dedups and queues (no agent in it); a
`serve worker` loop with the Teams task provider answers, and decides approvals, exactly once."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from agent.runtime import Runtime
from agent.turn import Agent
from bot.serve.ledger import PgLedger
from bot.serve.queue import WorkerContext, WorkerOptions, ensure_schema, queue_url, run_worker
from bot.teams.app import build_teams_app
from bot.teams.tasks import provider
from tests.agent.doubles import Echo, RecordingChange
from tests.bot.slack.doubles import ContextPlanner
from tests.bot.teams.conftest import BOB, CAROL, FIXED_NOW, Harness, serve, teams_settings
from tests.bot.teams.fake_teams import FakeTeams
from tests.services import need, postgres_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@contextmanager
def pg_schema() -> Iterator[str]:
    """A database URL whose tables (the queue, the ledger, the agent's) land in a fresh schema."""
    need("postgres")
    schema = f"cp_teams_{uuid.uuid4().hex[:12]}"
    base = postgres_url()
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def queued(tmp_path: Path, fake_teams: FakeTeams, namespace: str) -> Iterator[Harness]:
    with pg_schema() as database_url:
        settings = teams_settings(tmp_path, fake_teams, "redis", database_url=database_url)
        planner, change = ContextPlanner(), RecordingChange()
        runtime = Runtime.build(settings, planner=planner, tools=[Echo(), change])
        agent = Agent(runtime)
        url = queue_url(database_url)
        assert url is not None
        ensure_schema(url)
        teams = build_teams_app(settings, namespace=namespace, now=lambda: FIXED_NOW)  # queue mode
        assert teams.queue is not None
        server = serve(teams)
        ledger = PgLedger(url)
        context = WorkerContext(settings, agent, ledger, closers=[ledger.close], backoff_s=0)
        stop = threading.Event()
        options = WorkerOptions(concurrency=2, heartbeat_s=1.0, stalled_after_s=3.0, poll_s=0.2, name="t")
        worker = threading.Thread(
            target=run_worker, args=(url, context, [provider(namespace)], options, stop), daemon=True
        )
        worker.start()
        try:
            yield Harness(fake_teams, teams, server, runtime.approvals.approvals, agent, planner, change)
        finally:
            stop.set()
            worker.join(timeout=40)
            server.stop()
            teams.close()
            runtime.close()


def _settle(h: Harness, answers: int) -> None:
    assert h.teams.wait_idle(30)
    deadline = time.monotonic() + 10
    while len(h.answers()) < answers and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_front_queues_and_a_worker_answers_once_and_decides(queued: Harness) -> None:
    body = queued.activity("first")
    assert queued.post(body)[0] == 200
    assert queued.post(body)[0] == 200  # delivered twice: one job
    _settle(queued, 1)
    _, root = queued.say("and then", thread=str(body["id"]))
    _settle(queued, 2)
    first, second = queued.answers()
    assert "turn 1: first" in first and "turn 2: and then (before that: first)" in second
    assert queued.planner.seen == ["first", "and then"]

    queued.say("change res-9", user=BOB)
    _settle(queued, 3)
    approval_id, card_id, conversation, data = queued.approval_card()
    invoke = queued.invoke("approve", data, user=CAROL, card_id=card_id, conversation=conversation)
    assert queued.post(invoke)[0] == 200
    assert queued.post(invoke)[0] == 200  # replayed
    assert queued.teams.wait_idle(30)
    deadline = time.monotonic() + 10
    while queued.agent.view(approval_id).status != "executed" and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.05)
    assert queued.agent.view(approval_id).status == "executed"  # type: ignore[union-attr]
    assert len(queued.change.applied) == 1
