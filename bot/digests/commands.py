"""`cloudpilot digest list|send`, `cloudpilot alerts list|run|history` and `cloudpilot serve
digests`: scheduled summaries and alerts, posted through the platforms' posters the composition
root (`bot/main.py`) passes in (`PosterSource`s, an `AlertSource`).

Both groups have the same shape: `list` shows each entry's schedule and next run, a command runs
entries now through a runner built with an agent, and a configuration error is a usage error.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager

import click
from rich.console import Console
from rich.table import Table as RichTable

from agent.api import agent_now, alert_history
from agent.turn import Agent
from bot.core.cli_state import cli_state, open_agent
from bot.digests.alerts import AlertOutcome, AlertRunner
from bot.digests.runner import DigestRunner
from bot.digests.schedule import ScheduleError, parse
from bot.digests.sources import AlertSource, DigestConfigError, PosterSource, digest_runner
from config import Settings

Row = tuple[list[str], str, str]  # an entry's cells, its cron schedule and its time zone


def _list_command(
    kind: str, help_text: str, columns: Sequence[str], rows_of: Callable[[Settings], list[Row]]
) -> click.Command:
    """`list`: one row per configured entry, with its schedule and next run."""

    @click.command("list", help=help_text)
    @click.pass_context
    def list_entries(ctx: click.Context) -> None:
        settings = cli_state(ctx).settings
        rows = rows_of(settings)
        if not rows:
            click.echo(f"No {kind} configured: add [[{kind}]] entries to the settings (see the README).")
            return
        now = settings.clock().now()
        table = RichTable(title=kind.capitalize())
        for column in (*columns, "Schedule", "Next run"):
            table.add_column(column)
        for cells, schedule, zone in rows:
            try:
                upcoming = parse(schedule, zone).next_after(now).strftime("%Y-%m-%d %H:%M %Z")
            except ScheduleError as exc:
                upcoming = f"invalid: {exc}"
            table.add_row(*cells, f"{schedule} ({zone})", upcoming)
        Console().print(table)

    return list_entries


@contextmanager
def _running(
    ctx: click.Context, make: Callable[[Settings, Agent], AbstractContextManager[object]]
) -> Iterator[tuple[Agent, object]]:
    """An agent and the runner `make` builds with it; configuration errors are usage errors."""
    state = cli_state(ctx)
    with open_agent(state) as agent:
        try:
            with make(state.settings, agent) as runner:
                yield agent, runner
        except (DigestConfigError, ScheduleError) as exc:
            raise click.UsageError(str(exc)) from exc


def digest_group(sources: Sequence[PosterSource], alerts: AlertSource | None = None) -> click.Group:
    def runners(settings: Settings, agent: Agent) -> AbstractContextManager[DigestRunner]:
        return digest_runner(settings, agent, sources, alerts)

    @click.group("digest")
    def digest() -> None:
        """Scheduled digests: questions asked on a schedule, answers posted to Slack or Teams."""

    digest.add_command(
        _list_command(
            "digests",
            "The configured digests, their schedules and next runs.",
            ("Name", "Channel", "Questions"),
            lambda settings: [
                ([d.name, f"{d.platform}:{d.channel}", str(len(d.questions))], d.schedule, d.timezone)
                for d in settings.digests
            ],
        )
    )

    @digest.command("send")
    @click.argument("name")
    @click.pass_context
    def digest_send(ctx: click.Context, name: str) -> None:
        """Post digest NAME now (outside its schedule)."""
        settings = cli_state(ctx).settings
        wanted = next((d for d in settings.digests if d.name == name), None)
        if wanted is None:
            known = ", ".join(d.name for d in settings.digests) or "none"
            raise click.UsageError(f"No digest '{name}' (configured: {known}).")
        with _running(ctx, runners) as (_agent, runner):
            assert isinstance(runner, DigestRunner)
            outcome = runner.send(wanted)
        click.echo(f"Digest {name}: {outcome.detail}")
        if not outcome.ok:
            raise SystemExit(1)

    return digest


def serve_digests_command(
    sources: Sequence[PosterSource], alerts: AlertSource | None = None
) -> click.Command:
    @click.command("digests")
    @click.pass_context
    def serve_digests(ctx: click.Context) -> None:
        """Post the configured digests (and evaluate the alerts) on their schedules (one slot is
        posted once, even with several schedulers running against the same database)."""
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())

        def runners(settings: Settings, agent: Agent) -> AbstractContextManager[DigestRunner]:
            return digest_runner(settings, agent, sources, alerts)

        with _running(ctx, runners) as (agent, runner):
            assert isinstance(runner, DigestRunner)
            for name, when in runner.next_runs(agent_now(agent)).items():
                click.echo(f"digest {name}: next run {when:%Y-%m-%d %H:%M %Z}")
            click.echo("Posting digests on schedule. Ctrl-C to stop.")
            try:
                runner.serve(stop, lambda: agent_now(agent))
            except KeyboardInterrupt:
                stop.set()

    return serve_digests


def alerts_group(alerts: AlertSource) -> click.Group:
    @click.group("alerts")
    def group() -> None:
        """Alerts: budgets, cost anomalies and new critical findings, posted once when they happen."""

    group.add_command(
        _list_command(
            "alerts",
            "The configured alerts, where they go and when they are evaluated next.",
            ("Name", "Kind", "Destinations"),
            lambda settings: [
                (
                    [a.name, a.kind, ", ".join(filter(None, [a.channel, a.webhook_url and "webhook"]))],
                    a.schedule,
                    a.timezone,
                )
                for a in settings.alerts
            ],
        )
    )

    @group.command("run")
    @click.argument("names", nargs=-1)
    @click.option(
        "--dry-run", is_flag=True, help="Evaluate and show what would be sent; send and record nothing."
    )
    @click.pass_context
    def alerts_run(ctx: click.Context, names: tuple[str, ...], dry_run: bool) -> None:
        """Evaluate the alerts (or NAMES) once now and send what is new. Exit 1 when one failed."""
        configured = {a.name: a for a in cli_state(ctx).settings.alerts}
        unknown = [n for n in names if n not in configured]
        if unknown:
            known = ", ".join(configured) or "none"
            raise click.UsageError(f"No alert {', '.join(unknown)} (configured: {known}).")
        with _running(ctx, alerts) as (_agent, runner):
            assert isinstance(runner, AlertRunner)
            chosen = [configured[n] for n in names] if names else list(configured.values())
            outcomes = [runner.run(a, dry_run=dry_run) for a in chosen]
        for outcome in outcomes:
            _show(outcome, dry_run)
        if not all(o.ok for o in outcomes):
            raise SystemExit(1)

    @group.command("history")
    @click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
    @click.argument("name", required=False)
    @click.pass_context
    def alerts_history(ctx: click.Context, limit: int, name: str | None) -> None:
        """What was sent (or failed), newest first."""
        rows = alert_history(cli_state(ctx).settings, name, limit)
        if not rows:
            click.echo("No alerts sent yet.")
            return
        table = RichTable(title="Alert occurrences")
        for column in ("When", "Alert", "Occurrence", "Status", "Tries", "Detail"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                f"{r.claimed_at:%Y-%m-%d %H:%M}",
                r.alert,
                r.key,
                r.status,
                str(r.attempts),
                r.title or r.detail,
            )
        Console().print(table)

    return group


def _show(outcome: AlertOutcome, dry_run: bool) -> None:
    click.echo(f"{outcome.name} ({outcome.kind}): {outcome.detail}")
    for delivery in outcome.deliveries:
        label = "would send" if dry_run else ("sent" if delivery.ok else "failed")
        for event in delivery.events:
            click.echo(f"  [{delivery.destination} {label}] {event.title}")
