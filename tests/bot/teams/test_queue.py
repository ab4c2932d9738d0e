"""Teams over the durable queue: the front only checks, dedups and queues (no agent in it); a
`serve worker` loop with the Teams task provider answers, and decides approvals, exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.runtime import Runtime
from agent.turn import Agent
from bot.teams.app import build_teams_app
from bot.teams.tasks import provider
from tests.agent.doubles import Echo, RecordingChange
from tests.bot.chat.doubles import ContextPlanner
from tests.bot.chat.queue_rig import QueueWorker
from tests.bot.teams.conftest import BOB, CAROL, FIXED_NOW, Harness, serve, teams_settings
from tests.bot.teams.fake_teams import FakeTeams
from tests.services import pg_schema

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def queued(tmp_path: Path, fake_teams: FakeTeams, namespace: str) -> Iterator[Harness]:
    with pg_schema() as database_url:
        settings = teams_settings(tmp_path, fake_teams, "redis", database_url=database_url)
        planner, change = ContextPlanner(), RecordingChange()
        runtime = Runtime.build(settings, planner=planner, tools=[Echo(), change])
        agent = Agent(runtime)
        teams = build_teams_app(settings, namespace=namespace, now=lambda: FIXED_NOW)  # queue mode
        assert teams.queue is not None
        server = serve(teams)
        worker = QueueWorker(settings, agent, [provider(namespace)]).start()
        try:
            yield Harness(fake_teams, teams, server, runtime.approvals.approvals, agent, planner, change)
        finally:
            worker.stop()
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
