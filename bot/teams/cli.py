"""`cloudpilot serve teams`: the Teams bot's messaging endpoint (`POST /api/messages`)."""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

import click

from bot.core.cli_state import cli_state, ensure_cloud, open_agent
from bot.serve.logs import setup_json_logging
from bot.serve.queue import queue_url
from bot.serve.server import HttpServer, Limits, Service, build_asgi
from bot.teams.app import TeamsConfigError, build_teams_app, check_settings
from bot.teams.endpoint import MAX_BODY, MESSAGES_PATH

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.teams.app import TeamsApp


@click.command("teams")
@click.option("--host", default=None, help="Address to bind (default: settings.teams.host).")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=None, help="Port (default: settings.teams.port)."
)
@click.option(
    "--worker",
    type=click.Choice(["auto", "queue", "process", "thread"]),
    default="auto",
    show_default=True,
    help="Where agent turns run: queue = the durable PostgreSQL queue, answered by `cloudpilot serve "
    "worker` (auto picks it when database_url is PostgreSQL); process = a separate lower-priority "
    "process (the single-machine default); thread = threads of this process.",
)
@click.option("--workers", type=click.IntRange(1, 32), default=4, show_default=True)
@click.option("--read-timeout-s", type=float, default=10.0, show_default=True)
@click.option("--json-logs/--plain-logs", default=True, show_default=True)
@click.option("--namespace", default=None, hidden=True)
@click.pass_context
def serve_teams(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    worker: str,
    workers: int,
    read_timeout_s: float,
    json_logs: bool,
    namespace: str | None,
) -> None:
    """Serve Microsoft Teams: personal chats, channel @mentions, threads and approval cards.

    Set-up (Entra app, Azure Bot, messaging endpoint, app manifest): docs/TEAMS.md. With
    database_url on PostgreSQL this process only verifies, deduplicates, queues and answers 200;
    `cloudpilot serve worker` processes (the same ones that serve Slack) post the answers.
    """
    state = cli_state(ctx)
    settings = state.settings
    if json_logs:
        setup_json_logging(settings.log_level)
    try:
        check_settings(settings)
    except TeamsConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    limits = Limits(max_body=MAX_BODY, header_timeout_s=read_timeout_s, read_timeout_s=read_timeout_s)
    bind = (host or settings.teams.host, settings.teams.port if port is None else port)
    if worker == "auto":
        worker = "queue" if queue_url(settings.database_url) else "process"
    if worker == "thread":
        with open_agent(state) as agent:
            _run(
                lambda: build_teams_app(settings, agent, queue=False, namespace=namespace, workers=workers),
                bind,
                limits,
            )
    elif worker == "queue":
        if queue_url(settings.database_url) is None:
            raise click.UsageError(
                "--worker queue needs database_url = postgresql://… (docs/ARCHITECTURE.md)."
            )
        click.echo("Queueing work for `cloudpilot serve worker` processes.")
        _run(lambda: build_teams_app(settings, queue=True, namespace=namespace), bind, limits)
    else:
        settings = ensure_cloud(settings)  # the worker process builds its own agent
        click.echo("Starting the agent worker process…")
        _run(
            lambda: build_teams_app(settings, queue=False, namespace=namespace, workers=workers), bind, limits
        )


def _run(make: Callable[[], TeamsApp], bind: tuple[str, int], limits: Limits) -> None:
    try:
        built = make()
    except Exception as exc:
        raise click.ClickException(f"cannot start the Teams bot: {exc}") from exc
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        service = Service(
            routes=built.endpoint.routes(),
            ready_checks=built.ready_checks(),
            on_scrape=built.scrape_hooks(),
            limits=limits,
        )
        server = HttpServer(build_asgi(service), bind[0], bind[1], limits)
        click.echo(
            f"CloudPilot is listening for Teams on {server.url}{MESSAGES_PATH} "
            "(and /health, /ready, /metrics). Ctrl-C to stop."
        )
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        built.close()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
