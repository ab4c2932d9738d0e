"""`cloudpilot cost ingest|status`: load billing exports into the local cost store and inspect it.

The lead's CLI adds this group with `cli.add_command(cost)`; the group's context object is the
CLI's CliState (settings via `state.settings`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table as RichTable

from agent.api import UserFacingError, cost_ingest, cost_status, watch_progress
from bot.terminal.errors import command_error
from bot.terminal.render import ProgressLine

if TYPE_CHECKING:
    from config import Settings


def _settings(state: Any) -> Settings:
    settings: Settings = state.settings
    return settings


def _now(settings: Settings) -> datetime:
    # Ingest times are wall-clock times even when the demo pins the clock for periods.
    return datetime.now(UTC)


@click.group()
def cost() -> None:
    """Billing data: load FOCUS / CUR 2.0 exports into the local store, show what is loaded."""


@cost.command("ingest")
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def ingest_command(state: Any, sources: tuple[str, ...], as_json: bool) -> None:
    """Load exports from files, folders or s3://bucket/prefix (CSV, gzip CSV, Parquet).

    Re-ingesting a billing period replaces it; nothing is half-loaded on errors. Progress is shown
    on stderr; a malformed export is named with its line and column (exit 4), a missing one exits 3.
    """
    settings = _settings(state)
    line = ProgressLine()
    try:
        with watch_progress(line):
            report = cost_ingest(settings, list(sources), _now(settings))
    except UserFacingError as exc:
        raise command_error(exc) from exc
    finally:
        line.close()
    data = {
        "rows": report.rows,
        "files": report.files,
        "formats": report.formats,
        "billing_periods": report.periods,
        "providers": report.providers,
        "replaced_rows": report.replaced_rows,
        "seconds": round(report.seconds, 3),
        "rows_per_second": round(report.rows_per_second),
    }
    if as_json:
        click.echo(json.dumps(data))
        return
    click.echo(
        f"Ingested {report.rows:,} rows from {report.files} file(s) ({', '.join(report.formats)}) "
        f"in {report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s)."
    )
    click.echo(
        f"Billing periods: {', '.join(report.periods) or '-'}; "
        f"providers: {', '.join(report.providers) or '-'}."
    )
    if report.replaced_rows:
        click.echo(f"Replaced {report.replaced_rows:,} rows previously loaded for those periods.")


@cost.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_obj
def status_command(state: Any, as_json: bool) -> None:
    """Billing periods, rows, providers and the last ingest."""
    settings = _settings(state)
    try:
        info = cost_status(settings, _now(settings))
    except UserFacingError as exc:
        raise command_error(exc) from exc
    if as_json:
        click.echo(
            json.dumps(
                {
                    "path": str(info.path),
                    "rows": info.rows,
                    "providers": info.providers,
                    "first_day": info.first_day,
                    "last_day": info.last_day,
                    "last_ingest": info.last_ingest.isoformat() if info.last_ingest else None,
                    "periods": [
                        {
                            "billing_period": p.billing_period,
                            "provider": p.provider,
                            "rows": p.rows,
                            "billed": f"{p.billed:.2f}",
                            "currency": p.currency,
                        }
                        for p in info.periods
                    ],
                    "batches": [
                        {
                            "id": b.batch_id,
                            "origin": b.origin,
                            "source": b.source,
                            "rows": b.row_count,
                            "format": b.format,
                            "ingested_at": b.ingested_at.isoformat(),
                        }
                        for b in info.batches
                    ],
                }
            )
        )
        return
    console = Console()
    console.print(
        f"Cost store {info.path}: {info.rows:,} rows, providers {', '.join(info.providers) or '-'}, "
        f"charges {info.first_day} – {info.last_day}.",
        markup=False,
        highlight=False,
    )
    when = f"{info.last_ingest:%Y-%m-%d %H:%M} UTC" if info.last_ingest else "never"
    console.print(f"Last ingest: {when}", markup=False)
    table = RichTable(title="Billing periods")
    for col, justify in (
        ("period", "left"),
        ("provider", "left"),
        ("rows", "right"),
        ("billed", "right"),
        ("currency", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for p in info.periods:
        table.add_row(p.billing_period, p.provider, f"{p.rows:,}", f"{p.billed:,.2f}", p.currency)
    console.print(table)
    batches = RichTable(title="Loads")
    for col in ("#", "origin", "source", "format", "rows", "at (UTC)"):
        batches.add_column(col, overflow="fold")
    for b in info.batches:
        batches.add_row(
            str(b.batch_id),
            b.origin,
            b.source,
            b.format,
            f"{b.row_count:,}",
            f"{b.ingested_at:%Y-%m-%d %H:%M}",
        )
    console.print(batches)
