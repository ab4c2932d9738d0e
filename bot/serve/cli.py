"""`cloudpilot serve worker` (run queued jobs) and `cloudpilot jobs list|retry` (see dead jobs).

The task providers (which jobs a worker knows) are given by the composition root, `bot/main.py`,
so that this package knows no chat platform.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

import click
from rich.console import Console
from rich.table import Table as RichTable

from bot.core.cli_state import cli_state, open_agent
from bot.core.reconcile_loop import ReconcileLoop
from bot.serve.checks import standard_checks
from bot.serve.ledger import PgLedger
from bot.serve.logs import setup_json_logging
from bot.serve.queue import (
    QueueClient,
    TaskProvider,
    WorkerContext,
    WorkerOptions,
    ensure_schema,
    queue_url,
    run_worker,
)
from bot.serve.server import HttpServer, Service, build_asgi

if TYPE_CHECKING:
    from agent.turn import Agent
    from bot.core.cli_state import CliState
    from config import Settings

log = logging.getLogger("cloudpilot.serve")

NO_QUEUE = (
    "The durable queue needs PostgreSQL: set database_url (CLOUDPILOT_DATABASE_URL=postgresql://…). "
    "Without it, `cloudpilot serve slack` answers in its own process (docs/ARCHITECTURE.md)."
)


def require_queue(settings: Settings) -> str:
    url = queue_url(settings.database_url)
    if url is None:
        raise click.UsageError(NO_QUEUE)
    return url


def load_object(path: str) -> Any:
    """`module:attribute` (tests and benchmarks pass a runtime factory with doubles)."""
    module, _, name = path.partition(":")
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError as exc:
        raise click.UsageError(f"nothing at {path!r}: {exc}") from exc
    if found is None:
        raise click.UsageError(f"nothing at {path!r}")
    return found


@contextlib.contextmanager
def worker_agent(state: CliState, runtime_factory: str | None) -> Iterator[Agent]:
    if runtime_factory is None:
        with open_agent(state) as agent:
            yield agent
        return
    from agent.turn import Agent

    runtime = cast(Callable[[Any], Any], load_object(runtime_factory))(state.settings)
    try:
        yield Agent(runtime)
    finally:
        runtime.close()


def worker_command(providers: list[TaskProvider]) -> click.Command:
    @click.command("worker")
    @click.option(
        "--concurrency",
        type=click.IntRange(1, 64),
        default=4,
        show_default=True,
        help="Jobs this worker runs at once (each on a thread).",
    )
    @click.option(
        "--metrics-port",
        type=click.IntRange(0, 65535),
        default=None,
        help="Serve /health, /ready and /metrics on this port.",
    )
    @click.option("--metrics-host", default="0.0.0.0", show_default=True)
    @click.option(
        "--heartbeat-s",
        type=float,
        default=10.0,
        show_default=True,
        help="How often this worker says it is alive.",
    )
    @click.option(
        "--stalled-after-s",
        type=float,
        default=30.0,
        show_default=True,
        help="A job whose worker has been silent this long is run again elsewhere.",
    )
    @click.option("--json-logs/--plain-logs", default=True, show_default=True)
    @click.option("--runtime-factory", default=None, hidden=True)
    @click.pass_context
    def serve_worker(
        ctx: click.Context,
        concurrency: int,
        metrics_port: int | None,
        metrics_host: str,
        heartbeat_s: float,
        stalled_after_s: float,
        json_logs: bool,
        runtime_factory: str | None,
    ) -> None:
        """Run queued jobs (answers, clicks, digests, alerts) from the PostgreSQL queue; run any number.

        Needs database_url (PostgreSQL) and, for Slack, redis_url. Stops cleanly on SIGTERM:
        running jobs finish first (within 30 s); a worker killed outright has its jobs run again
        by another worker once its heartbeat is `--stalled-after-s` old.
        """
        state = cli_state(ctx)
        settings = state.settings
        url = require_queue(settings)
        if json_logs:
            setup_json_logging(settings.log_level)
        ensure_schema(url)
        name = f"{socket.gethostname()}:{os.getpid()}"
        with contextlib.ExitStack() as stack:
            with _startup_lock(url):  # noqa: SIM117 - replicas starting together create the tables in turn
                agent = stack.enter_context(worker_agent(state, runtime_factory))
            ledger = PgLedger(url, max_size=concurrency + 2)
            context = WorkerContext(settings, agent, ledger, closers=[ledger.close])
            loop = ReconcileLoop(agent, settings.approvals.reconcile_interval_s).start()
            context.closers.append(loop.stop)
            if metrics_port is not None:
                checks = standard_checks(settings, database=True, knowledge=True)
                client = QueueClient(url, max_size=2)
                checks["queue"] = client.ping
                service = Service(
                    ready_checks=checks, on_scrape=[client.refresh_metrics, _approval_gauge(agent)]
                )
                server = HttpServer(build_asgi(service), metrics_host, metrics_port).start()
                context.closers.append(client.close)
                context.closers.append(server.stop)
                click.echo(f"worker {name}: /health, /ready and /metrics on {server.url}")
            click.echo(f"worker {name}: taking jobs ({concurrency} at once). Ctrl-C to stop.")
            run_worker(
                url, context, providers, WorkerOptions(concurrency, heartbeat_s, stalled_after_s, name=name)
            )

    return serve_worker


@contextlib.contextmanager
def _startup_lock(url: str) -> Iterator[None]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        # Polled, not waited for: a session blocked in pg_advisory_lock would hold a snapshot that
        # the holder's CREATE INDEX CONCURRENTLY (the checkpointer's set-up) waits for.
        while True:
            row = conn.execute("SELECT pg_try_advisory_lock(hashtext('cloudpilot-worker-start'))").fetchone()
            if row and row[0]:
                break
            time.sleep(0.5)
        yield  # the lock goes with the session


def _approval_gauge(agent: Agent) -> Callable[[], None]:
    from config.metrics import APPROVALS

    def refresh() -> None:
        counts: dict[str, int] = {}
        for view in agent.approvals():
            counts[view.status] = counts.get(view.status, 0) + 1
        for state in (
            "pending",
            "approved",
            "executing",
            "executed",
            "failed",
            "unknown",
            "stale",
            "rejected",
            "expired",
            "withdrawn",
        ):
            APPROVALS.labels(state).set(counts.get(state, 0))

    return refresh


_STATUSES = {
    "dead": ["failed"],
    "waiting": ["todo"],
    "running": ["doing"],
    "all": ["todo", "doing", "failed", "succeeded", "cancelled", "aborted"],
}


@click.group("jobs")
def jobs() -> None:
    """The durable work queue: waiting, running and dead jobs."""


@jobs.command("list")
@click.option(
    "--status",
    "status",
    type=click.Choice(sorted(_STATUSES)),
    default="dead",
    show_default=True,
    help="dead: failed every attempt; waiting; running; all.",
)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per job.")
@click.pass_context
def jobs_list(ctx: click.Context, status: str, limit: int, as_json: bool) -> None:
    """Jobs in the queue, newest first (default: the dead ones)."""
    url = require_queue(cli_state(ctx).settings)
    ensure_schema(url)
    client = QueueClient(url, max_size=1)
    try:
        rows = client.jobs(_STATUSES[status], limit)
        stats = client.stats()
    finally:
        client.close()
    if as_json:
        for row in rows:
            click.echo(
                json.dumps(
                    {
                        "id": row.id,
                        "task": row.task,
                        "status": row.status,
                        "lane": row.lock,
                        "attempts": row.attempts,
                        "kind": (row.args.get("job") or {}).get("kind"),
                        "key": (row.args.get("job") or {}).get("key"),
                        "deferred_at": row.deferred_at.isoformat() if row.deferred_at else None,
                        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
                    }
                )
            )
        return
    click.echo(
        f"queue: {stats.todo} waiting, {stats.doing} running, {stats.failed} dead; "
        f"oldest waiting {stats.oldest_todo_age_s:.1f} s"
    )
    if not rows:
        click.echo(f"No {status} jobs.")
        return
    table = RichTable(title=f"{status.capitalize()} jobs")
    for column in ("Id", "Task", "Status", "Lane", "Attempts", "Job", "Deferred", "Last change"):
        table.add_column(column)
    for row in rows:
        job = row.args.get("job") or {}
        table.add_row(
            str(row.id),
            row.task,
            row.status,
            row.lock or "",
            str(row.attempts),
            f"{job.get('kind', '')} {job.get('key', '')}".strip(),
            f"{row.deferred_at:%Y-%m-%d %H:%M:%S}" if row.deferred_at else "",
            f"{row.updated_at:%Y-%m-%d %H:%M:%S}" if row.updated_at else "",
        )
    Console().print(table)


@jobs.command("retry")
@click.argument("job_id", type=int)
@click.pass_context
def jobs_retry(ctx: click.Context, job_id: int) -> None:
    """Put dead job JOB_ID back in the queue (its record keeps what it already did)."""
    url = require_queue(cli_state(ctx).settings)
    client = QueueClient(url, max_size=1)
    try:
        ok = client.retry(job_id)
    finally:
        client.close()
    if not ok:
        raise click.ClickException(f"job {job_id} is not a dead job")
    click.echo(f"job {job_id} queued again")
