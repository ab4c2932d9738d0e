"""A front-end's work wiring, the same for every platform: where the work after each ack runs,
and what the serving process checks, refreshes and closes.

Three places (docs/ARCHITECTURE.md §7):
- the durable queue (`queue=True`, the default when `database_url` is PostgreSQL and no agent is
  given): `cloudpilot serve worker` processes anywhere run the jobs;
- threads of this process (`agent=...`: tests, small set-ups, `--worker thread`), with the
  approval reconciler running here too;
- otherwise a niced child process that owns the agent (`bot/chat/worker_process.py`), the
  single-machine default, so that agent turns never slow the acks down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.chat.keystore import KeyStore
from bot.chat.work import JobSink, ThreadSink
from bot.core.reconcile_loop import ReconcileLoop
from bot.serve.checks import standard_checks
from bot.serve.queue import QueueClient, QueueSink, ensure_schema, queue_url
from bot.serve.server import ReadyCheck
from config import Settings

if TYPE_CHECKING:
    from agent.turn import Agent

log = logging.getLogger("cloudpilot.chat")

J = TypeVar("J")

NEEDS_POSTGRES = "The durable queue needs database_url = postgresql://… (docs/ARCHITECTURE.md)."


def require(checks: list[tuple[bool, str]], platform: str, doc: str, error: type[ValueError]) -> None:
    """Raises `error` naming every setting whose check failed ((ok, what to set) pairs)."""
    missing = [what for ok, what in checks if not ok]
    if missing:
        raise error(f"{platform} is not configured: set " + "; ".join(missing) + f". See {doc}.")


def queue_for(
    settings: Settings, agent: Agent | None, queue: bool | None, error: type[ValueError]
) -> str | None:
    """The queue's URL when the work goes through the durable queue, else None. `queue=None`
    picks it when there is no agent here and `database_url` is PostgreSQL."""
    url = queue_url(settings.database_url)
    if queue is None:
        queue = agent is None and url is not None
    if queue and url is None:
        raise error(NEEDS_POSTGRES)
    return url if queue else None


@dataclass
class Work(Generic[J]):
    """Where the acknowledged jobs go, and what was started for it."""

    sink: JobSink[J]
    reconciler: ReconcileLoop | None = None
    queue: QueueClient | None = None

    def close(self) -> None:
        if self.reconciler is not None:
            self.reconciler.stop()
        self.sink.close()


def open_work(
    settings: Settings,
    agent: Agent | None,
    url: str | None,
    task: str,
    encode: Callable[[J], dict[str, Any]],
    in_threads: Callable[[Agent], Callable[[J], None]],
    in_child: Callable[[], JobSink[J]],
    workers: int = 4,
) -> Work[J]:
    """The queue when `url` is given (see `queue_for`), else threads running `in_threads(agent)`
    when there is an agent here, else the child process `in_child` starts."""
    if url is not None:
        ensure_schema(url)
        client = QueueClient(url)
        return Work(QueueSink(client, task, encode), queue=client)
    if agent is not None:
        sink: JobSink[J] = ThreadSink(in_threads(agent), workers)
        try:
            # With agent turns in this process, the reconciler runs here (else in the worker).
            reconciler = ReconcileLoop(agent, settings.approvals.reconcile_interval_s).start()
        except BaseException:
            sink.close()
            raise
        return Work(sink, reconciler)
    return Work(in_child())


@contextmanager
def closed_on_failure(*closers: Callable[[], None]) -> Iterator[list[Callable[[], None]]]:
    """While a front-end is being built: what has been opened so far (append to the list) is
    closed again, newest first, if building fails."""
    opened = list(closers)
    try:
        yield opened
    except BaseException:
        for close in reversed(opened):
            try:
                close()
            except Exception:
                log.warning("cleanup after a failed start failed", exc_info=True)
        raise


class Front:
    """What a built front-end (`SlackApp`, `TeamsApp`) offers the server and the CLI. Subclasses
    are dataclasses with these fields; `closers` are extra things to close after the sink."""

    keys: KeyStore
    sink: JobSink[Any]
    settings: Settings | None
    reconciler: ReconcileLoop | None
    queue: QueueClient | None

    def ready_checks(self) -> dict[str, ReadyCheck]:
        """What `/ready` checks for this process: Redis, and the queue or (with turns here) the
        database and the knowledge base."""
        if self.settings is None:
            return {}
        in_process = self.queue is None
        checks = standard_checks(self.settings, database=in_process, knowledge=in_process)
        if self.queue is not None:
            checks["queue"] = self.queue.ping
        return checks

    def scrape_hooks(self) -> list[Callable[[], None]]:
        return [self.queue.refresh_metrics] if self.queue is not None else []

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Waits until the work queued by acknowledged requests is done (tests, shutdown)."""
        return self.sink.wait_idle(timeout)

    def closers(self) -> list[Callable[[], None]]:
        return []

    def close(self) -> None:
        if self.reconciler is not None:
            self.reconciler.stop()
        self.sink.close()
        self.keys.close()
        for close in self.closers():
            try:
                close()
            except Exception:
                log.warning("closing %s failed", getattr(close, "__qualname__", close), exc_info=True)
