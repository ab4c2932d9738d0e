"""`cloudpilot alerts list|run|history`: budgets, cost anomalies and new findings posted once per
occurrence to Slack channels and/or signed webhooks (settings: [[alerts]]). `cloudpilot serve
digests` evaluates them on their schedules."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table as RichTable

from agent.api import alert_history
from bot.core.cli_state import cli_state, open_agent
from bot.digests.alerts import AlertOutcome
from bot.digests.schedule import ScheduleError, parse
from bot.slack.digests import DigestConfigError, slack_alerts


@click.group()
def alerts() -> None:
    """Alerts: budgets, cost anomalies and new critical findings, posted once when they happen."""


@alerts.command("list")
@click.pass_context
def alerts_list(ctx: click.Context) -> None:
    """The configured alerts, where they go and when they are evaluated next."""
    settings = cli_state(ctx).settings
    if not settings.alerts:
        click.echo("No alerts configured: add [[alerts]] entries to the settings (see the README).")
        return
    now = settings.clock().now()
    table = RichTable(title="Alerts")
    for column in ("Name", "Kind", "Destinations", "Schedule", "Next run"):
        table.add_column(column)
    for a in settings.alerts:
        try:
            upcoming = parse(a.schedule, a.timezone).next_after(now).strftime("%Y-%m-%d %H:%M %Z")
        except ScheduleError as exc:
            upcoming = f"invalid: {exc}"
        where = ", ".join(filter(None, [a.channel, "webhook" if a.webhook_url else None]))
        table.add_row(a.name, a.kind, where, f"{a.schedule} ({a.timezone})", upcoming)
    Console().print(table)


@alerts.command("run")
@click.argument("names", nargs=-1)
@click.option(
    "--dry-run", is_flag=True, help="Evaluate and show what would be sent; send and record nothing."
)
@click.pass_context
def alerts_run(ctx: click.Context, names: tuple[str, ...], dry_run: bool) -> None:
    """Evaluate the alerts (or NAMES) once now and send what is new. Exit 1 when one failed."""
    state = cli_state(ctx)
    configured = {a.name: a for a in state.settings.alerts}
    unknown = [n for n in names if n not in configured]
    if unknown:
        known = ", ".join(configured) or "none"
        raise click.UsageError(f"No alert {', '.join(unknown)} (configured: {known}).")
    with open_agent(state) as agent:
        try:
            with slack_alerts(state.settings, agent) as runner:
                chosen = [configured[n] for n in names] if names else list(configured.values())
                outcomes = [runner.run(a, dry_run=dry_run) for a in chosen]
        except (DigestConfigError, ScheduleError) as exc:
            raise click.UsageError(str(exc)) from exc
    for outcome in outcomes:
        _show(outcome, dry_run)
    if not all(o.ok for o in outcomes):
        raise SystemExit(1)


def _show(outcome: AlertOutcome, dry_run: bool) -> None:
    click.echo(f"{outcome.name} ({outcome.kind}): {outcome.detail}")
    for delivery in outcome.deliveries:
        label = "would send" if dry_run else ("sent" if delivery.ok else "failed")
        for event in delivery.events:
            click.echo(f"  [{delivery.destination} {label}] {event.title}")


@alerts.command("history")
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
            f"{r.claimed_at:%Y-%m-%d %H:%M}", r.alert, r.key, r.status, str(r.attempts), r.title or r.detail
        )
    Console().print(table)
