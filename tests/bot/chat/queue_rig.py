"""The durable queue in every platform's tests: a `serve worker` loop on a thread with the
platforms' task providers, over a PostgreSQL schema of its own per test (`tests/services.py`'s
`pg_schema`: the queue, the ledger and the agent's tables live there)."""

from __future__ import annotations

import threading
from typing import Any

from agent.turn import Agent
from bot.serve.ledger import PgLedger
from bot.serve.queue import WorkerContext, WorkerOptions, ensure_schema, queue_url, run_worker
from config import Settings


class QueueWorker:
    """`cloudpilot serve worker`'s loop on a thread of the test process, with `providers`."""

    def __init__(
        self,
        settings: Settings,
        agent: Agent,
        providers: list[Any],
        *,
        max_attempts: int = 5,
        backoff_s: int = 0,
    ) -> None:
        url = queue_url(settings.database_url)
        assert url is not None
        ensure_schema(url)
        ledger = PgLedger(url)
        self.context = WorkerContext(
            settings, agent, ledger, closers=[ledger.close], max_attempts=max_attempts, backoff_s=backoff_s
        )
        self.stop_event = threading.Event()
        options = WorkerOptions(concurrency=2, heartbeat_s=1.0, stalled_after_s=3.0, poll_s=0.2, name="test")
        self.thread = threading.Thread(
            target=run_worker, args=(url, self.context, providers, options, self.stop_event), daemon=True
        )

    def start(self) -> QueueWorker:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=40)
