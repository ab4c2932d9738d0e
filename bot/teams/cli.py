"""`cloudpilot serve teams`: the Teams bot's messaging endpoint (`POST /api/messages`) alone, and
`mount()`, which puts the same endpoint on `serve slack`'s server (one server for both)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from bot.chat.cli import Build, Mount, Served, WorkOptions, hosted, launch, work_options
from bot.chat.dedup import PENDING_TTL_S
from bot.core.cli_state import cli_state
from bot.serve.server import HttpServer, Service, build_asgi

if TYPE_CHECKING:
    from agent.turn import Agent
    from config import Settings


def _build(namespace: str | None = None, workers: int = 4, claim_pending_s: int = PENDING_TTL_S) -> Build:
    def build(settings: Settings, agent: Agent | None, queue: bool) -> Served:
        # Imported here: the Teams SDK's models take a second to load, `cloudpilot --help` need not.
        from bot.teams.app import build_teams_app

        return build_teams_app(
            settings,
            agent,
            queue=queue,
            namespace=namespace,
            workers=workers,
            claim_pending_s=claim_pending_s,
        )

    return build


def mount() -> Mount:
    """Teams beside another front-end on its server, when `[teams]` is configured."""
    return Mount("the Teams bot", lambda settings: settings.teams.configured, _build())


@click.command("teams")
@click.option("--host", default=None, help="Address to bind (default: settings.teams.host).")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=None, help="Port (default: settings.teams.port)."
)
@work_options(PENDING_TTL_S)
@click.pass_context
def serve_teams(
    ctx: click.Context,
    /,
    host: str | None,
    port: int | None,
    **work: Any,
) -> None:
    """Serve Microsoft Teams: personal chats, channel @mentions, threads and approval cards.

    Set-up (Entra app, Azure Bot, messaging endpoint, app manifest): docs/TEAMS.md. With
    database_url on PostgreSQL this process only verifies, deduplicates, queues and answers 200;
    `cloudpilot serve worker` processes (the same ones that serve Slack) post the answers. For
    Slack and Teams on one server, run `cloudpilot serve slack` with [teams] configured.
    """
    from bot.teams.app import TeamsConfigError, check_settings
    from bot.teams.endpoint import MAX_BODY, MESSAGES_PATH

    options = WorkOptions(**work)
    state = cli_state(ctx)
    settings = state.settings
    options.logs(settings)
    try:
        check_settings(settings)
    except TeamsConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    limits = options.limits(MAX_BODY)
    bind = (host or settings.teams.host, settings.teams.port if port is None else port)

    def serve(fronts: list[Served]) -> None:
        routes, checks, hooks = hosted(fronts)
        service = Service(routes=routes, ready_checks=checks, on_scrape=hooks, limits=limits)
        server = HttpServer(build_asgi(service), bind[0], bind[1], limits)
        click.echo(
            f"CloudPilot is listening for Teams on {server.url}{MESSAGES_PATH} "
            "(and /health, /ready, /metrics). Ctrl-C to stop."
        )
        server.serve_forever()

    build = _build(options.namespace, options.workers, options.claim_pending_s)
    launch(state, settings, options.worker, [("the Teams bot", build)], serve)
