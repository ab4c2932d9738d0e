"""The durable queue: the front-end only queues; a worker answers, in order per conversation,
once per message; a job that keeps failing is dead and listed by `cloudpilot jobs list`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from agent.turn import Agent
from bot.main import cli
from bot.serve.queue import QueueClient, queue_url
from bot.slack.app import build_slack_app
from bot.slack.http import SlackHttpServer
from bot.slack.jobs import Answer, Incoming, encode
from bot.slack.responder import WORKING
from bot.slack.tasks import TASK
from config import Settings
from tests.bot.slack.conftest import FIXED_NOW, SECRET, SlackDriver
from tests.bot.slack.doubles import context_runtime
from tests.bot.slack.fake_slack import FakeSlack
from tests.bot.slack.queue_rig import ThreadWorker, pg_schema, queue_settings

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@dataclass
class Rig:
    driver: SlackDriver
    settings: Settings
    fake: FakeSlack
    namespace: str
    agent: Agent


@pytest.fixture
def rig(tmp_path: Path, fake_slack: FakeSlack, namespace: str) -> Iterator[Rig]:
    with pg_schema() as db:
        settings = queue_settings(tmp_path, fake_slack, db)
        front = build_slack_app(settings, queue=True, namespace=namespace, now=lambda: FIXED_NOW)
        server = SlackHttpServer(
            front.app,
            SECRET,
            "127.0.0.1",
            0,
            ready_checks=front.ready_checks(),
            on_scrape=front.scrape_hooks(),
        ).start()
        runtime = context_runtime(settings)
        agent = Agent(runtime)
        try:
            yield Rig(
                SlackDriver(fake_slack, front, server, runtime.approvals.approvals),
                settings,
                fake_slack,
                namespace,
                agent,
            )
        finally:
            server.stop()
            front.close()
            runtime.close()


def _answers(fake: FakeSlack) -> list[str]:
    return [c.args["text"] for c in fake.of("chat.update")]


def _placeholders(fake: FakeSlack) -> list[str | None]:
    return [
        c.args.get("thread_ts") for c in fake.where("chat.postMessage", lambda a: a.get("text") == WORKING)
    ]


def test_the_front_queues_and_a_worker_answers_in_order_once(rig: Rig) -> None:
    d = rig.driver
    # Queued while no worker runs: acknowledged all the same, answered once a worker starts.
    _, root = d.mention("hello")
    for text in ("one", "two", "three"):
        status, _ = d.message(text, thread_ts=root)
        assert status == 200
    d.mention("hello", ts=root, event_id="Ev0OTHER")  # the same message again, another event id
    assert rig.fake.of("chat.postMessage") == []
    host, port = d.server.server_address
    import urllib.request

    with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=5) as resp:
        metrics = resp.read().decode()
    assert 'cloudpilot_queue_depth{status="todo"} 4.0' in metrics
    with urllib.request.urlopen(f"http://{host}:{port}/ready", timeout=5) as resp:
        ready = json.loads(resp.read())
    assert ready == {"ready": True, "checks": {"redis": "ok", "queue": "ok"}}

    worker = ThreadWorker(rig.settings, rig.agent, rig.namespace).start()
    try:
        d.settle()
        assert _answers(rig.fake) == [
            "turn 1: hello (before that: nothing)",
            "turn 2: one (before that: hello)",
            "turn 3: two (before that: one)",
            "turn 4: three (before that: two)",
        ]
        assert _placeholders(rig.fake) == [root] * 4
        # Every post carries its job's key, for a rerun to find it.
        assert all(
            c.args["metadata"]["event_payload"]["key"].startswith("msg:C0001:")
            for c in rig.fake.of("chat.postMessage")
        )
        # A job delivered twice (the same key) is done once.
        client = QueueClient(queue_url(rig.settings.database_url) or "")
        try:
            again = Answer(Incoming("UALICE", "C0001", "hello", root, root), key=f"msg:C0001:{root}")
            client.defer(TASK, lock=again.incoming.lane, job=encode(again))
            d.settle()
        finally:
            client.close()
        assert len(_answers(rig.fake)) == 4 and len(_placeholders(rig.fake)) == 4
    finally:
        worker.stop()


def test_a_job_that_keeps_failing_is_dead_and_listed(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rig.fake.failures["chat.postMessage"] = "fatal_error"
    worker = ThreadWorker(rig.settings, rig.agent, rig.namespace, max_attempts=1).start()
    try:
        _, ts = rig.driver.mention("hello")
        rig.driver.settle()
        assert len(rig.fake.of("chat.postMessage")) == 3  # two attempts, and the apology (failed too)
        monkeypatch.setenv("CLOUDPILOT_DATABASE_URL", rig.settings.database_url or "")
        monkeypatch.setenv("CLOUDPILOT_DATA_DIR", str(tmp_path / "cli"))
        runner = CliRunner()
        result = runner.invoke(cli, ["jobs", "list", "--json"])
        assert result.exit_code == 0, result.output
        (dead,) = [json.loads(line) for line in result.output.splitlines()]
        assert dead["status"] == "failed" and dead["attempts"] == 2 and dead["kind"] == "answer"  # two runs
        assert dead["key"] == f"msg:C0001:{ts}" and dead["lane"] == f"C0001:{ts}"
        table = runner.invoke(cli, ["jobs", "list"])
        assert "1 dead" in table.output and str(dead["id"]) in table.output

        # Slack is back: the dead job is retried by hand and answers (its apology is not repeated).
        del rig.fake.failures["chat.postMessage"]
        result = runner.invoke(cli, ["jobs", "retry", str(dead["id"])])
        assert result.exit_code == 0, result.output
        rig.driver.settle()
        assert _answers(rig.fake) == ["turn 1: hello (before that: nothing)"]
        assert runner.invoke(cli, ["jobs", "list"]).output.count("No dead jobs") == 1
    finally:
        worker.stop()


def test_worker_command_refuses_without_postgres(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDPILOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("CLOUDPILOT_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["serve", "worker"])
    assert result.exit_code == 2 and "PostgreSQL" in result.output
    time.sleep(0)
