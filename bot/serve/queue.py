"""The durable work queue: procrastinate on PostgreSQL.

Front-ends defer jobs (one INSERT, inside the ack); `cloudpilot serve worker` processes, any
number on any machines, run them. What the engine gives, and how CloudPilot uses it:

- **lanes**: each job carries a lock (the conversation); procrastinate runs the jobs of one lock
  one at a time, oldest first, so a conversation's messages are answered in order while
  different conversations run in parallel on every worker;
- **retries with backoff**: a job that raises is retried `MAX_ATTEMPTS` times, waiting 2, 4, 8,
  16, 32 s; its last attempt reports the failure to the user, and the job is left `failed`
  (dead) for `cloudpilot jobs list` / `cloudpilot jobs retry`;
- **a killed worker**: workers write a heartbeat every `heartbeat_s`; every worker looks for
  jobs `doing` on a worker silent for `stalled_after_s` and puts them back (`retry_stalled`),
  so the job runs again elsewhere — the job's idempotency record (`bot/serve/ledger.py`) makes
  the rerun skip what the killed run already did;
- **periodic jobs** (digests, alerts): procrastinate defers each periodic slot once across all workers.

Single-machine default (SQLite, no PostgreSQL configured): no queue; the front-end runs the same
job handlers in-process (`bot/slack/work.py`, `bot/slack/worker_process.py`): one process, and
work acknowledged but not yet done is lost if that process dies. See docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import procrastinate
from procrastinate.jobs import Job, Status
from procrastinate.schema import SchemaManager

from bot.serve import ledger as ledger_module
from bot.serve.logs import request_id
from config.metrics import ENQUEUED, QUEUE_AGE, QUEUE_DEAD, QUEUE_DEPTH

if TYPE_CHECKING:
    from agent.turn import Agent
    from bot.serve.ledger import Ledger
    from config import Settings

log = logging.getLogger("cloudpilot.queue")

QUEUE = "cloudpilot"
MAX_ATTEMPTS = 5  # retries after the first run


def retry_strategy(max_attempts: int = MAX_ATTEMPTS, backoff_s: int = 2) -> procrastinate.RetryStrategy:
    """Waits backoff_s, backoff_s², … between attempts (2, 4, 8, 16, 32 s by default)."""
    return procrastinate.RetryStrategy(max_attempts=max_attempts, exponential_wait=backoff_s)


def queue_url(database_url: str | None) -> str | None:
    """The libpq URL of a PostgreSQL `database_url` (SQLAlchemy driver suffix dropped), else None."""
    if not database_url:
        return None
    scheme, sep, rest = database_url.partition("://")
    base = scheme.split("+", 1)[0]
    if not sep or base not in ("postgresql", "postgres"):
        return None
    return f"postgresql://{rest}"


def ensure_schema(conninfo: str) -> None:
    """Creates procrastinate's tables and the ledger once (replicas starting together wait on a lock)."""
    import psycopg

    with psycopg.connect(conninfo) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('cloudpilot-queue-schema'))")
        row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if row is None or row[0] is None:
            conn.execute(SchemaManager.get_schema())
        conn.execute(ledger_module.DDL)
        conn.commit()


@dataclass
class QueueStats:
    todo: int = 0
    doing: int = 0
    failed: int = 0
    oldest_todo_age_s: float = 0.0


@dataclass
class JobRow:
    id: int
    task: str
    status: str
    lock: str | None
    attempts: int
    args: dict[str, Any]
    deferred_at: datetime | None
    updated_at: datetime | None


class QueueClient:
    """What a front-end (and `cloudpilot jobs`) needs: defer, counts, listings."""

    def __init__(self, conninfo: str, queue: str = QUEUE, max_size: int = 10) -> None:
        from psycopg_pool import ConnectionPool

        self.conninfo = conninfo
        self.queue = queue
        connector = procrastinate.SyncPsycopgConnector(conninfo=conninfo, min_size=1, max_size=max_size)
        self.app = procrastinate.App(connector=connector)
        self.app.open()
        self._pool = ConnectionPool(conninfo, min_size=1, max_size=2, open=True, kwargs={"autocommit": True})
        self._batcher = _Batcher(self.app.job_manager)

    def defer(self, task: str, lock: str | None, **kwargs: Any) -> int:
        """Inserts the job and returns once it is committed (group commit with concurrent calls)."""
        job = Job(
            id=None, queue=self.queue, lock=lock, queueing_lock=None, task_name=task, task_kwargs=kwargs
        )
        return self._batcher.submit(job)

    def ping(self) -> None:
        with self._pool.connection() as conn:
            conn.execute("SELECT 1 FROM procrastinate_jobs LIMIT 1")

    def stats(self) -> QueueStats:
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT status::text, count(*) FROM procrastinate_jobs WHERE queue_name = %s "
                "AND status IN ('todo', 'doing', 'failed') GROUP BY status",
                (self.queue,),
            ).fetchall()
            age = conn.execute(
                "SELECT extract(epoch FROM now() - min(e.at)) FROM procrastinate_jobs j "
                "JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred' "
                "WHERE j.status = 'todo' AND j.queue_name = %s",
                (self.queue,),
            ).fetchone()
        counts = {str(status): int(n) for status, n in rows}
        oldest = float(age[0]) if age and age[0] is not None else 0.0
        return QueueStats(
            counts.get("todo", 0), counts.get("doing", 0), counts.get("failed", 0), max(0.0, oldest)
        )

    def refresh_metrics(self) -> None:
        stats = self.stats()
        QUEUE_DEPTH.labels("todo").set(stats.todo)
        QUEUE_DEPTH.labels("doing").set(stats.doing)
        QUEUE_DEAD.set(stats.failed)
        QUEUE_AGE.set(stats.oldest_todo_age_s)

    def pending(self) -> int:
        stats = self.stats()
        return stats.todo + stats.doing

    def jobs(self, statuses: list[str], limit: int = 50) -> list[JobRow]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT j.id, j.task_name, j.status::text, j.lock, j.attempts, j.args, "
                "  (SELECT min(at) FROM procrastinate_events WHERE job_id = j.id AND type = 'deferred'), "
                "  (SELECT max(at) FROM procrastinate_events WHERE job_id = j.id) "
                "FROM procrastinate_jobs j WHERE j.queue_name = %s AND j.status::text = ANY(%s) "
                "ORDER BY j.id DESC LIMIT %s",
                (self.queue, statuses, limit),
            ).fetchall()
        return [JobRow(int(r[0]), r[1], r[2], r[3], int(r[4]), dict(r[5] or {}), r[6], r[7]) for r in rows]

    def retry(self, job_id: int) -> bool:
        """Puts a dead (failed) job back in the queue; False if it is not failed."""
        with self._pool.connection() as conn:
            cur = conn.execute(
                "UPDATE procrastinate_jobs SET status = 'todo', attempts = 0, scheduled_at = NULL "
                "WHERE id = %s AND status = 'failed'",
                (job_id,),
            )
            return cur.rowcount == 1

    def close(self) -> None:
        self._batcher.close()
        with contextlib.suppress(Exception):
            self.app.close()
        with contextlib.suppress(Exception):
            self._pool.close()


class _Batcher:
    """Group commit: the acks waiting while one INSERT commits go in the next one, together.

    Every commit costs an fsync and takes PostgreSQL's NOTIFY lock (procrastinate's trigger
    wakes the workers), so one transaction per ack caps a front at a few hundred acks a second
    and queues them behind each other; one transaction per batch keeps an ack at about two
    commits whatever the rate. A caller still returns only once its job is committed."""

    def __init__(self, manager: Any, max_batch: int = 200, timeout_s: float = 10.0) -> None:
        self._manager = manager
        self._max = max_batch
        self._timeout = timeout_s
        self._cond = threading.Condition()
        self._pending: list[tuple[Job, Future[int]]] = []
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="queue-defer", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> int:
        done: Future[int] = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the queue client is closed")
            self._pending.append((job, done))
            self._cond.notify()
        return done.result(timeout=self._timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if not self._pending:
                    return
                batch = self._pending[: self._max]
                del self._pending[: len(batch)]
            try:
                deferred = self._manager.batch_defer_jobs([job for job, _ in batch])
            except Exception as exc:
                for _, done in batch:
                    done.set_exception(exc)
            else:
                for (_, done), job in zip(batch, deferred, strict=True):
                    done.set_result(int(job.id))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)


class QueueSink:
    """A front-end's job sink over the queue: `submit` is one INSERT; workers do the rest."""

    def __init__(self, client: QueueClient, task: str, encode: Callable[[Any], dict[str, Any]]) -> None:
        self.client = client
        self.task = task
        self.encode = encode

    def submit(self, lane: str, job: Any) -> None:
        payload = self.encode(job)
        self.client.defer(self.task, lock=lane, job=payload, rid=request_id.get())
        ENQUEUED.labels(str(payload.get("kind", "job"))).inc()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once no job of this queue waits or runs (tests: the workers are other processes)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.client.pending():
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def close(self) -> None:
        self.client.close()


# -- workers ------------------------------------------------------------------------------------
@dataclass
class WorkerContext:
    """What task providers get to build their handlers."""

    settings: Settings
    agent: Agent
    ledger: Ledger
    closers: list[Callable[[], None]] = field(default_factory=list)
    max_attempts: int = MAX_ATTEMPTS
    backoff_s: int = 2

    @property
    def retry(self) -> procrastinate.RetryStrategy:
        return retry_strategy(self.max_attempts, self.backoff_s)

    def is_final(self, context: procrastinate.JobContext) -> bool:
        """This is the job's last attempt: report the failure to the user, then let it die."""
        return context.job.attempts >= self.max_attempts


TaskProvider = Callable[[procrastinate.App, WorkerContext], None]


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 4
    heartbeat_s: float = 10.0
    stalled_after_s: float = 30.0
    poll_s: float = 1.0
    name: str | None = None


async def retry_stalled(
    app: procrastinate.App, stalled_after_s: float, max_attempts: int = MAX_ATTEMPTS
) -> int:
    """Jobs left `doing` by a worker without a heartbeat go back to `todo` (or die, past the limit)."""
    count = 0
    for job in await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=stalled_after_s):
        assert job.id is not None
        if job.attempts >= max_attempts:
            log.error("job %s (%s) stalled on its last attempt: marked failed", job.id, job.task_name)
            await app.job_manager.finish_job_by_id_async(job.id, Status.FAILED, delete_job=False)
        else:
            log.warning("job %s (%s) stalled (its worker stopped): retrying", job.id, job.task_name)
            await app.job_manager.retry_job(job)
        count += 1
    return count


def run_worker(
    conninfo: str,
    context: WorkerContext,
    providers: list[TaskProvider],
    options: WorkerOptions,
    stop: threading.Event | None = None,
) -> None:
    """Runs jobs until SIGINT / SIGTERM (or `stop`); blocks."""
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo, min_size=1, max_size=options.concurrency + 4
    )
    app = procrastinate.App(connector=connector)
    for provide in providers:
        provide(app, context)

    async def reaper() -> None:
        while True:
            await asyncio.sleep(max(0.5, options.stalled_after_s / 3))
            try:
                await retry_stalled(app, options.stalled_after_s, context.max_attempts)
            except Exception:
                log.warning("could not look for stalled jobs", exc_info=True)

    async def main() -> None:
        async with app.open_async():
            task = asyncio.create_task(reaper())
            worker = asyncio.create_task(
                app.run_worker_async(
                    queues=[QUEUE],
                    name=options.name or "worker",
                    concurrency=options.concurrency,
                    update_heartbeat_interval=options.heartbeat_s,
                    stalled_worker_timeout=options.stalled_after_s,
                    fetch_job_polling_interval=options.poll_s,
                    delete_jobs="successful",
                    shutdown_graceful_timeout=30,
                    install_signal_handlers=stop is None,
                )
            )
            if stop is not None:
                while not stop.is_set() and not worker.done():
                    await asyncio.sleep(0.1)
                worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    try:
        asyncio.run(main())
    finally:
        for close in reversed(context.closers):
            with contextlib.suppress(Exception):
                close()
