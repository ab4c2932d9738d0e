"""`cloudpilot serve slack`: run the Slack app (HTTP or Socket Mode), and in HTTP mode the routes
of the other front-ends the composition root mounts beside it (Teams' `/api/messages` when
`[teams]` is configured): one server for both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from bot.chat.cli import Build, Mount, Served, WorkOptions, hosted, launch, mounted, work_options
from bot.core.cli_state import cli_state
from bot.serve.server import Limits
from bot.slack.app import SlackConfigError, build_slack_app, check_settings
from bot.slack.gate import PENDING_TTL_S
from bot.slack.http import EVENTS_PATH, MAX_BODY, SlackHttpServer

if TYPE_CHECKING:
    from agent.turn import Agent
    from bot.slack.app import SlackApp
    from config import Settings


def slack_command(mounts: Sequence[Mount] = ()) -> click.Command:
    """`serve slack`, hosting `mounts` (those wanted by the settings) on its HTTP server."""

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
    @work_options(PENDING_TTL_S)
    @click.pass_context
    def serve_slack(
        ctx: click.Context,
        /,
        mode: str | None,
        host: str | None,
        port: int | None,
        **work: Any,
    ) -> None:
        """Serve Slack: mentions, DMs, /cloudpilot and approval buttons.

        Set-up (app manifest, tokens, HTTP or Socket Mode): docs/SLACK.md. With database_url on
        PostgreSQL this process only verifies, deduplicates, queues and acknowledges; run
        `cloudpilot serve worker` (any number) to answer. In HTTP mode, with [teams] configured,
        the same server also serves Teams on /api/messages (docs/TEAMS.md).
        """
        options = WorkOptions(**work)
        state = cli_state(ctx)
        settings = state.settings
        options.logs(settings)
        updates = {k: v for k, v in (("mode", mode), ("host", host), ("port", port)) if v is not None}
        slack = settings.slack.model_copy(update=updates)
        settings = settings.model_copy(update={"slack": slack})
        try:
            check_settings(settings, slack.mode)
        except SlackConfigError as exc:
            raise click.UsageError(str(exc)) from exc
        limits = options.limits(MAX_BODY)
        common: dict[str, Any] = {
            "workers": options.workers,
            "namespace": options.namespace,
            "claim_pending_s": options.claim_pending_s,
        }

        def build(settings: Settings, agent: Agent | None, queue: bool) -> Served:
            return build_slack_app(settings, agent, queue=queue, **common)

        builds: list[tuple[str, Build]] = [("the Slack app", build)]
        if slack.mode == "http":
            builds += mounted(mounts, settings)

        def serve(fronts: list[Served]) -> None:
            built: SlackApp = fronts[0]  # type: ignore[assignment]
            if slack.mode == "socket":
                from bot.slack.socket_mode import run_socket_mode

                click.echo("CloudPilot is connected to Slack over Socket Mode. Ctrl-C to stop.")
                run_socket_mode(built.app, slack.app_token.get_secret_value() if slack.app_token else "")
            else:
                _serve_http(built, fronts[1:], slack.host, slack.port, limits)

        launch(state, settings, options.worker, builds, serve)

    return serve_slack


def _serve_http(built: SlackApp, others: Sequence[Served], host: str, port: int, limits: Limits) -> None:
    routes, checks, hooks = hosted(others)
    server = SlackHttpServer(
        built.app,
        built.signing_secret,
        host,
        port,
        limits=limits,
        ready_checks={**built.ready_checks(), **checks},
        on_scrape=[*built.scrape_hooks(), *hooks],
        routes=routes,
    )
    paths = ", ".join([EVENTS_PATH, *(str(getattr(r, "path", "")) for r in routes)])
    click.echo(
        f"CloudPilot is listening for Slack on {server.url}{EVENTS_PATH} "
        f"(routes {paths}; and /health, /ready, /metrics). Ctrl-C to stop."
    )
    # uvicorn handles SIGINT / SIGTERM itself: it stops accepting, finishes the requests in flight.
    server.serve_forever()


serve_slack = slack_command()  # Slack alone (the composition root adds Teams: `bot/main.py`)
