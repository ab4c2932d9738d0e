"""`cloudpilot digest list|send` and `cloudpilot serve digests`: scheduled cost and security
summaries posted to Slack channels (settings: [[digests]])."""

from __future__ import annotations

import signal
import threading

import click
from rich.console import Console
from rich.table import Table as RichTable

from bot.core.cli_state import cli_state, open_agent
from bot.digests.schedule import ScheduleError, parse
from bot.slack.digests import DigestConfigError, slack_digests


@click.group()
def digest() -> None:
    """Scheduled digests: questions asked on a schedule, answers posted to Slack."""


@digest.command("list")
@click.pass_context
def digest_list(ctx: click.Context) -> None:
    """The configured digests, their schedules and next runs."""
    settings = cli_state(ctx).settings
    if not settings.digests:
        click.echo("No digests configured: add [[digests]] entries to the settings (see the README).")
        return
    now = settings.clock().now()
    table = RichTable(title="Digests")
    for column in ("Name", "Channel", "Schedule", "Next run", "Questions"):
        table.add_column(column)
    for d in settings.digests:
        try:
            upcoming = parse(d.schedule, d.timezone).next_after(now).strftime("%Y-%m-%d %H:%M %Z")
        except ScheduleError as exc:
            upcoming = f"invalid: {exc}"
        table.add_row(d.name, d.channel, f"{d.schedule} ({d.timezone})", upcoming, str(len(d.questions)))
    Console().print(table)


@digest.command("send")
@click.argument("name")
@click.pass_context
def digest_send(ctx: click.Context, name: str) -> None:
    """Post digest NAME now (outside its schedule)."""
    state = cli_state(ctx)
    wanted = next((d for d in state.settings.digests if d.name == name), None)
    if wanted is None:
        known = ", ".join(d.name for d in state.settings.digests) or "none"
        raise click.UsageError(f"No digest '{name}' (configured: {known}).")
    with open_agent(state) as agent:
        try:
            with slack_digests(state.settings, agent) as runner:
                outcome = runner.send(wanted)
        except (DigestConfigError, ScheduleError) as exc:
            raise click.UsageError(str(exc)) from exc
    click.echo(f"Digest {name}: {outcome.detail}")
    if not outcome.ok:
        raise SystemExit(1)


@click.command("digests")
@click.pass_context
def serve_digests(ctx: click.Context) -> None:
    """Post the configured digests on their schedules (one slot is posted once, even with
    several schedulers running against the same database)."""
    state = cli_state(ctx)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with open_agent(state) as agent:
        try:
            with slack_digests(state.settings, agent) as runner:
                for name, when in runner.next_runs(agent.rt.ctx.clock.now()).items():
                    click.echo(f"digest {name}: next run {when:%Y-%m-%d %H:%M %Z}")
                click.echo("Posting digests on schedule. Ctrl-C to stop.")
                try:
                    runner.serve(stop, agent.rt.ctx.clock.now)
                except KeyboardInterrupt:
                    stop.set()
        except (DigestConfigError, ScheduleError) as exc:
            raise click.UsageError(str(exc)) from exc
