"""`cloudpilot serve slack`: run the Slack app (HTTP or Socket Mode)."""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from bot.core.cli_state import cli_state, ensure_cloud, open_agent
from bot.serve.logs import setup_json_logging
from bot.serve.queue import queue_url
from bot.serve.server import Limits
from bot.slack.app import SlackConfigError, build_slack_app, check_settings
from bot.slack.gate import PENDING_TTL_S
from bot.slack.http import EVENTS_PATH, MAX_BODY, SlackHttpServer

if TYPE_CHECKING:
    from bot.slack.app import SlackApp
    from config.settings import SlackSettings


@click.command("slack")
@click.option(
    "--mode",
    type=click.Choice(["http", "socket"]),
    default=None,
    help="HTTP (Events API on a public URL) or Socket Mode (default: settings.slack.mode).",
)
@click.option("--host", default=None, help="HTTP mode: address to bind (default: settings.slack.host).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="HTTP mode: port (default: settings.slack.port).",
)
@click.option(
    "--worker",
    type=click.Choice(["auto", "queue", "process", "thread"]),
    default="auto",
    show_default=True,
    help="Where agent turns run: queue = the durable PostgreSQL queue, answered by `cloudpilot "
    "serve worker` processes (auto picks it when database_url is PostgreSQL); process = a separate "
    "lower-priority process (the single-machine default); thread = threads of this process.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Threads answering messages after the ack (process and thread modes).",
)
@click.option(
    "--read-timeout-s",
    type=float,
    default=10.0,
    show_default=True,
    help="HTTP mode: a request's headers, and then its body, must arrive within this time.",
)
@click.option("--json-logs/--plain-logs", default=True, show_default=True)
@click.option("--namespace", default=None, hidden=True)
@click.option("--claim-pending-s", type=int, default=PENDING_TTL_S, hidden=True)
@click.pass_context
def serve_slack(
    ctx: click.Context,
    mode: str | None,
    host: str | None,
    port: int | None,
    worker: str,
    workers: int,
    read_timeout_s: float,
    json_logs: bool,
    namespace: str | None,
    claim_pending_s: int,
) -> None:
    """Serve Slack: mentions, DMs, /cloudpilot and approval buttons.

    Set-up (app manifest, tokens, HTTP or Socket Mode): docs/SLACK.md. With database_url on
    PostgreSQL this process only verifies, deduplicates, queues and acknowledges; run
    `cloudpilot serve worker` (any number) to answer.
    """
    state = cli_state(ctx)
    settings = state.settings
    if json_logs:
        setup_json_logging(settings.log_level)
    updates = {k: v for k, v in (("mode", mode), ("host", host), ("port", port)) if v is not None}
    slack = settings.slack.model_copy(update=updates)
    settings = settings.model_copy(update={"slack": slack})
    try:
        check_settings(settings, slack.mode)
    except SlackConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    limits = Limits(max_body=MAX_BODY, header_timeout_s=read_timeout_s, read_timeout_s=read_timeout_s)
    common: dict[str, Any] = {"workers": workers, "namespace": namespace, "claim_pending_s": claim_pending_s}
    if worker == "auto":
        worker = "queue" if queue_url(settings.database_url) else "process"
    if worker == "thread":
        with open_agent(state) as agent:
            _run(_build(lambda: build_slack_app(settings, agent, queue=False, **common)), slack, limits)
    elif worker == "queue":
        if queue_url(settings.database_url) is None:
            raise click.UsageError(
                "--worker queue needs database_url = postgresql://… (docs/ARCHITECTURE.md)."
            )
        click.echo("Queueing work for `cloudpilot serve worker` processes.")
        _run(_build(lambda: build_slack_app(settings, queue=True, **common)), slack, limits)
    else:
        # The worker process builds its own agent: the sandbox must answer before it starts.
        settings = ensure_cloud(settings)
        click.echo("Starting the agent worker process…")
        _run(_build(lambda: build_slack_app(settings, queue=False, **common)), slack, limits)


def _build(make: Callable[[], SlackApp]) -> SlackApp:
    try:
        built: SlackApp = make()
    except Exception as exc:  # a bad token (auth.test), an unreachable Redis, a worker that failed
        raise click.ClickException(f"cannot start the Slack app: {exc}") from exc
    return built


def _run(built: SlackApp, slack: SlackSettings, limits: Limits) -> None:
    # Containers stop with SIGTERM: shut down as for Ctrl-C, so the worker process goes too.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if slack.mode == "socket":
            from bot.slack.socket_mode import run_socket_mode

            click.echo("CloudPilot is connected to Slack over Socket Mode. Ctrl-C to stop.")
            run_socket_mode(built.app, slack.app_token.get_secret_value() if slack.app_token else "")
        else:
            _serve_http(built, slack.host, slack.port, limits)
    except KeyboardInterrupt:
        pass
    finally:
        built.close()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _serve_http(built: SlackApp, host: str, port: int, limits: Limits) -> None:
    server = SlackHttpServer(
        built.app,
        built.signing_secret,
        host,
        port,
        limits=limits,
        ready_checks=built.ready_checks(),
        on_scrape=built.scrape_hooks(),
    )
    click.echo(
        f"CloudPilot is listening for Slack on {server.url}{EVENTS_PATH} "
        f"(and /health, /ready, /metrics). Ctrl-C to stop."
    )
    # uvicorn handles SIGINT / SIGTERM itself: it stops accepting, finishes the requests in flight.
    server.serve_forever()
