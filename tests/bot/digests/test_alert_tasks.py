"""Alerts on the durable queue: the periodic job of `cloudpilot serve worker`.

With real PostgreSQL, two workers run the alerts job of two minutes that fall in the same alert
slot (what happens every minute of an hourly alert's grace period) and the occurrences reach the
webhook receiver on 127.0.0.1 once, signed. A job killed after it claimed the occurrences sends
them when it is retried, and another run of the slot sends nothing twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import procrastinate
import pytest
from procrastinate.testing import InMemoryConnector

from agent.api import AlertLog, DigestRuns
from agent.runtime import Runtime
from agent.turn import Agent
from bot.digests.alerts import AlertRunner
from bot.digests.tasks import PERIODIC_ID, TASK, provider, run_slot
from bot.digests.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookSender, sign
from bot.serve.ledger import MemoryLedger, PgLedger
from bot.serve.queue import QueueClient, WorkerContext, WorkerOptions, ensure_schema, queue_url, run_worker
from store.alerts import SENT
from tests.bot.digests.test_alerts import SECRET, Receiver, alert_settings
from tests.bot.slack.queue_rig import pg_schema

SLOT = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)  # the pinned clock says 09:05


def _alerts(url: str) -> list[dict[str, Any]]:
    return [
        {
            "kind": "anomaly",
            "name": "spikes",
            "period": "last_90_days",
            "min_severity": "critical",
            "schedule": "0 9 * * *",
            "webhook_url": url,
            "webhook_secret": SECRET,
        }
    ]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(SECRET)
    yield r
    r.close()


@pytest.fixture
def agents(fresh_moto: str, tmp_path: Path) -> Iterator[Callable[..., Agent]]:
    """Agents on one database: each one is another worker process."""
    made: list[Runtime] = []

    def build(alerts: list[dict[str, Any]], database_url: str | None = None) -> Agent:
        settings = alert_settings(tmp_path / "data", fresh_moto, alerts)
        if database_url is not None:
            settings = settings.model_copy(update={"database_url": database_url})
        runtime = Runtime.build(settings)
        made.append(runtime)
        return Agent(runtime)

    yield build
    for runtime in made:
        runtime.close()


def test_the_job_is_registered_only_with_alerts(agents: Callable[..., Agent], receiver: Receiver) -> None:
    for configured, expected in (([], False), (_alerts(receiver.url), True)):
        agent = agents(configured)
        app = procrastinate.App(connector=InMemoryConnector())
        context = WorkerContext(agent.rt.settings, agent, MemoryLedger())
        provider()(app, context)
        assert (TASK in app.tasks) is expected
        periodic = app.periodic_registry.periodic_tasks.values()
        assert any(p.periodic_id == PERIODIC_ID for p in periodic) is expected
        for close in context.closers:
            close()


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_running_the_same_slot_deliver_once(
    agents: Callable[..., Agent], receiver: Receiver
) -> None:
    with pg_schema() as db:
        url = queue_url(db)
        assert url is not None
        ensure_schema(url)
        one, two = agents(_alerts(receiver.url), db), agents(_alerts(receiver.url), db)
        assert one.rt.store.engine.dialect.name == "postgresql"
        client = QueueClient(url, max_size=1)
        stops: list[threading.Event] = []
        threads: list[threading.Thread] = []
        try:
            # The 09:05 and 09:06 runs of the every-minute job: both find the 09:00 slot due.
            minute = int(datetime(2024, 10, 15, 9, 5, tzinfo=UTC).timestamp())
            for timestamp in (minute, minute + 60):
                client.defer(TASK, lock=None, timestamp=timestamp)
            for n, agent in enumerate((one, two)):
                ledger = PgLedger(url, max_size=2)
                context = WorkerContext(agent.rt.settings, agent, ledger, closers=[ledger.close])
                stop = threading.Event()
                options = WorkerOptions(1, heartbeat_s=1.0, stalled_after_s=5.0, poll_s=0.2, name=f"w{n}")
                thread = threading.Thread(
                    target=run_worker, args=(url, context, [provider()], options, stop), daemon=True
                )
                thread.start()
                stops.append(stop)
                threads.append(thread)
            deadline = time.monotonic() + 180
            while client.pending() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert client.pending() == 0
        finally:
            for stop in stops:
                stop.set()
            for thread in threads:
                thread.join(timeout=60)
            client.close()
        [(headers, body, valid)] = receiver.requests  # one delivery, both occurrences in it
        assert valid
        assert headers[SIGNATURE_HEADER.lower()] == sign(SECRET, int(headers[TIMESTAMP_HEADER.lower()]), body)
        [run] = DigestRuns(one.rt.store).recent("alert:spikes")
        assert (run.slot, run.status) == (SLOT, "posted")
        sent = AlertLog(one.rt.store).recent("spikes")
        assert len(sent) == 2 and {r.status for r in sent} == {SENT}


class Killed(BaseException):
    """SIGKILL, as far as the code after the send can tell: nothing after it runs."""


class KilledWhileSending(WebhookSender):
    def send(self, url: str, secret: str, payload: Mapping[str, Any], delivery_id: str) -> int:
        raise Killed()


def test_a_job_killed_after_claiming_sends_on_its_retry_and_nobody_else_sends_twice(
    agents: Callable[..., Agent], receiver: Receiver
) -> None:
    agent = agents(_alerts(receiver.url))
    settings = agent.rt.settings
    with pytest.raises(Killed):  # job 7's first attempt: slot and occurrences claimed, nothing sent
        run_slot(AlertRunner(settings, agent, None, sender=KilledWhileSending()), agent, 7, attempts=0)
    runner = AlertRunner(settings, agent, None, sender=WebhookSender(timeout_s=5))
    assert run_slot(runner, agent, 8, attempts=0) == []  # the next minute's job: the slot is taken
    [other] = run_slot(runner, agent, 9, attempts=1)  # another job's retry: job 7's claims are held
    assert other.posted == 0 and receiver.requests == []
    [retried] = run_slot(runner, agent, 7, attempts=1)  # job 7 again, after its worker was killed
    assert retried.ok and retried.posted == 2
    [(_, _, valid)] = receiver.requests
    assert valid
    [again] = run_slot(runner, agent, 7, attempts=2)  # killed after sending, before the job was done
    assert again.posted == 0 and len(receiver.requests) == 1
    [run] = DigestRuns(agent.rt.store).recent("alert:spikes")
    assert (run.slot, run.status) == (SLOT, "posted")
