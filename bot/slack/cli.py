"""`cloudpilot serve slack`: run the Slack app (HTTP or Socket Mode)."""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from bot.core.cli_state import cli_state, ensure_cloud, open_agent
from bot.slack.app import SlackConfigError, build_slack_app, check_settings

if TYPE_CHECKING:
    from slack_bolt import App

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
    type=click.Choice(["process", "thread"]),
    default="process",
    show_default=True,
    help="Where agent turns run: a separate lower-priority process (acks stay fast under "
    "load) or threads of this process.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Threads answering messages after the ack.",
)
@click.pass_context
def serve_slack(
    ctx: click.Context, mode: str | None, host: str | None, port: int | None, worker: str, workers: int
) -> None:
    """Serve Slack: mentions, DMs, /cloudpilot and approval buttons.

    Set-up (app manifest, tokens, HTTP or Socket Mode): docs/SLACK.md.
    """
    state = cli_state(ctx)
    settings = state.settings
    updates = {k: v for k, v in (("mode", mode), ("host", host), ("port", port)) if v is not None}
    slack = settings.slack.model_copy(update=updates)
    settings = settings.model_copy(update={"slack": slack})
    try:
        check_settings(settings, slack.mode)
    except SlackConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    if worker == "thread":
        with open_agent(state) as agent:
            _run(_build(lambda: build_slack_app(settings, agent, workers=workers)), slack)
    else:
        # The worker process builds its own agent: the sandbox must answer before it starts.
        ensure_cloud(settings)
        click.echo("Starting the agent worker process…")
        _run(_build(lambda: build_slack_app(settings, workers=workers)), slack)


def _build(make: Callable[[], SlackApp]) -> SlackApp:
    try:
        built: SlackApp = make()
    except Exception as exc:  # a bad token (auth.test), an unreachable Redis, a worker that failed
        raise click.ClickException(f"cannot start the Slack app: {exc}") from exc
    return built


def _run(built: SlackApp, slack: SlackSettings) -> None:
    # Containers stop with SIGTERM: shut down as for Ctrl-C, so the worker process goes too.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if slack.mode == "socket":
            from bot.slack.socket_mode import run_socket_mode

            click.echo("CloudPilot is connected to Slack over Socket Mode. Ctrl-C to stop.")
            run_socket_mode(built.app, slack.app_token.get_secret_value() if slack.app_token else "")
        else:
            _serve_http(built.app, built.signing_secret, slack.host, slack.port)
    except KeyboardInterrupt:
        pass
    finally:
        built.close()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _serve_http(app: App, signing_secret: str, host: str, port: int) -> None:
    from bot.slack.http import EVENTS_PATH, SlackHttpServer

    server = SlackHttpServer(app, signing_secret, host, port)
    click.echo(f"CloudPilot is listening for Slack on {server.url}{EVENTS_PATH}. Ctrl-C to stop.")
    try:
        server.serve_forever()
    finally:
        server.server_close()
