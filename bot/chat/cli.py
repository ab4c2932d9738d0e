"""What `cloudpilot serve slack` and `serve teams` share: their work options, where the agent
turns run, and serving built front-ends until Ctrl-C or SIGTERM.

A front-end is built by a `Build` (settings, the agent when turns run in this process, whether
to use the durable queue); `launch` picks the worker mode, builds every front (one server can
host several: `Mount`), serves them and closes them all.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import click
from starlette.routing import BaseRoute

from bot.core.cli_state import CliState, ensure_cloud, open_agent
from bot.serve.logs import setup_json_logging
from bot.serve.queue import queue_url
from bot.serve.server import Limits, ReadyCheck
from config import Settings

if TYPE_CHECKING:
    from agent.turn import Agent

F = TypeVar("F", bound=Callable[..., Any])

WORKER_HELP = (
    "Where agent turns run: queue = the durable PostgreSQL queue, answered by `cloudpilot serve "
    "worker` processes (auto picks it when database_url is PostgreSQL); process = a separate "
    "lower-priority process (the single-machine default); thread = threads of this process."
)


class Served(Protocol):
    """A built front-end as the server and the CLI see it (`bot/chat/front.py`'s `Front`)."""

    def routes(self) -> list[BaseRoute]: ...

    def ready_checks(self) -> dict[str, ReadyCheck]: ...

    def scrape_hooks(self) -> list[Callable[[], None]]: ...

    def close(self) -> None: ...


# (settings, the agent when turns run here, queue?) -> a built front-end
Build = Callable[["Settings", "Agent | None", bool], Served]


@dataclass(frozen=True)
class Mount:
    """Another platform's front-end that a server hosts beside its own when `wanted` (e.g. Teams'
    `/api/messages` on `serve slack`'s server when `[teams]` is configured). Given by the
    composition root (`bot/main.py`), so that no platform imports another."""

    name: str
    wanted: Callable[[Settings], bool]
    build: Build


@dataclass(frozen=True)
class WorkOptions:
    """The values of `work_options` (a command takes them as `**work` and builds this)."""

    worker: str
    workers: int
    read_timeout_s: float
    json_logs: bool
    namespace: str | None
    claim_pending_s: int

    def limits(self, max_body: int) -> Limits:
        timeout = self.read_timeout_s
        return Limits(max_body=max_body, header_timeout_s=timeout, read_timeout_s=timeout)

    def logs(self, settings: Settings) -> None:
        if self.json_logs:
            setup_json_logging(settings.log_level)


def work_options(pending_ttl_s: int) -> Callable[[F], F]:
    """The options of every chat front-end command, after its own (`WorkOptions`)."""
    options = [
        click.option(
            "--worker",
            type=click.Choice(["auto", "queue", "process", "thread"]),
            default="auto",
            show_default=True,
            help=WORKER_HELP,
        ),
        click.option(
            "--workers",
            type=click.IntRange(1, 32),
            default=4,
            show_default=True,
            help="Threads answering messages after the ack (process and thread modes).",
        ),
        click.option(
            "--read-timeout-s",
            type=float,
            default=10.0,
            show_default=True,
            help="A request's headers, and then its body, must arrive within this time.",
        ),
        click.option("--json-logs/--plain-logs", default=True, show_default=True),
        click.option("--namespace", default=None, hidden=True),
        click.option("--claim-pending-s", type=int, default=pending_ttl_s, hidden=True),
    ]

    def apply(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


def worker_mode(settings: Settings, worker: str) -> str:
    """`auto` resolved (the queue with PostgreSQL, else a worker process); `queue` checked."""
    if worker == "auto":
        return "queue" if queue_url(settings.database_url) else "process"
    if worker == "queue" and queue_url(settings.database_url) is None:
        raise click.UsageError("--worker queue needs database_url = postgresql://… (docs/ARCHITECTURE.md).")
    return worker


def launch(
    state: CliState,
    settings: Settings,
    worker: str,
    builds: Sequence[tuple[str, Build]],
    serve: Callable[[list[Served]], None],
) -> None:
    """Builds each (name, build) with the worker mode's agent and queue, serves them until
    Ctrl-C / SIGTERM, and closes every one that was built."""
    mode = worker_mode(settings, worker)
    with contextlib.ExitStack() as stack:
        agent: Agent | None = None
        if mode == "thread":
            agent = stack.enter_context(open_agent(state))
        elif mode == "queue":
            click.echo("Queueing work for `cloudpilot serve worker` processes.")
        else:
            # The worker process builds its own agent: the sandbox must answer before it starts.
            settings = ensure_cloud(settings)
            click.echo("Starting the agent worker process…")
        with _serving() as fronts:
            for name, build in builds:
                try:
                    fronts.append(build(settings, agent, mode == "queue"))
                except Exception as exc:  # a bad token, an unreachable Redis, a worker that failed
                    raise click.ClickException(f"cannot start {name}: {exc}") from exc
            # Containers stop with SIGTERM: shut down as for Ctrl-C, so the worker processes go too.
            signal.signal(signal.SIGTERM, _interrupt)
            serve(fronts)


@contextlib.contextmanager
def _serving() -> Iterator[list[Served]]:
    fronts: list[Served] = []
    try:
        yield fronts
    except KeyboardInterrupt:
        pass
    finally:
        for front in reversed(fronts):
            front.close()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def mounted(mounts: Sequence[Mount], settings: Settings) -> list[tuple[str, Build]]:
    return [(m.name, m.build) for m in mounts if m.wanted(settings)]


def hosted(
    fronts: Sequence[Served],
) -> tuple[list[BaseRoute], dict[str, ReadyCheck], list[Callable[[], None]]]:
    """The routes, readiness checks and scrape hooks of fronts sharing one server."""
    routes: list[BaseRoute] = []
    checks: dict[str, ReadyCheck] = {}
    hooks: list[Callable[[], None]] = []
    for front in fronts:
        routes.extend(front.routes())
        checks.update(front.ready_checks())
        hooks.extend(front.scrape_hooks())
    return routes, checks, hooks
