"""`cloudpilot eval`: run the planner evaluation suite and print accuracy per area and every miss.

The cases are data (YAML, `agent/evaluation/cases/` unless `--cases DIR` names a team's own
folder); each is planned with a fixed clock and judged at the planner, so nothing touches a
cloud. The exit status is 0 unless `--min-accuracy` is given and not met (1).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any, cast

import click
from rich.console import Console
from rich.table import Table as RichTable

from agent.api import EvalReport, PlannerKind, UserFacingError, run_eval

WIDTH = 80


@click.command("eval")
@click.option(
    "--planner",
    "planner",
    type=click.Choice(["offline", "llm"]),
    default=None,
    help="Which planner to measure; the configured one when omitted (llm when llm.provider is set).",
)
@click.option(
    "--cases",
    "cases_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="A folder of case files (*.yaml); the bundled cases when omitted.",
)
@click.option("--area", "areas", multiple=True, help="Only this area (repeatable), e.g. --area cost.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--min-accuracy",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help="Exit 1 when the overall accuracy is below this percentage.",
)
@click.pass_obj
def eval_command(
    state: Any,
    planner: str | None,
    cases_dir: Path | None,
    areas: tuple[str, ...],
    as_json: bool,
    min_accuracy: float | None,
) -> None:
    """Measure a planner on the evaluation cases: accuracy per area and every miss."""
    needs_settings = planner != "offline"
    settings = state.settings if needs_settings and state is not None else None
    kind = planner or ("offline" if settings is None or settings.llm.provider == "none" else "llm")
    try:
        report = run_eval(settings, cast(PlannerKind, kind), cases_dir, areas)
    except UserFacingError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report.summary(), indent=2))
    else:
        _print_report(report)
    if min_accuracy is not None and report.accuracy * 100 < min_accuracy:
        click.echo(f"Accuracy {report.accuracy:.1%} is below --min-accuracy {min_accuracy:g}%.", err=True)
        raise SystemExit(1)


def _print_report(report: EvalReport) -> None:
    console = Console(width=WIDTH, highlight=False)
    table = RichTable(title=f"Planner evaluation: {report.planner}", title_justify="left")
    table.add_column("area")
    table.add_column("cases", justify="right")
    table.add_column("passed", justify="right")
    table.add_column("accuracy", justify="right")
    for area in report.areas():
        table.add_row(area.area, str(area.cases), str(area.passed), f"{area.accuracy:.1%}")
    table.add_section()
    table.add_row("overall", str(report.total), str(report.passed), f"{report.accuracy:.1%}", style="bold")
    console.print(table)
    misses = report.misses()
    click.echo(
        f"{report.passed}/{report.total} passed ({report.accuracy:.1%}) in {report.seconds:.1f} s, "
        f"planned at {report.now:%Y-%m-%d}; {len(misses)} miss(es)."
    )
    for miss in misses:
        click.echo("")
        click.echo(f"✗ {miss.id}  ({miss.reason})")
        for earlier in miss.history:
            _wrapped("  after:    ", repr(earlier))
        _wrapped("  request:  ", repr(miss.request))
        if miss.expected:
            for i, calls in enumerate(miss.expected):
                _wrapped("  expected: " if i == 0 else "  or:       ", _calls(calls))
        else:
            wanted = ", ".join(repr(p) for p in miss.expected_answer)
            _wrapped("  expected: ", "no call" + (f"; the answer says {wanted}" if wanted else ""))
        if miss.got:
            _wrapped("  got:      ", _calls(miss.got))
        else:
            _wrapped("  got:      ", f"no call; answer: {_shorten(miss.answer or '')!r}")


def _calls(calls: list[Any]) -> str:
    return "; ".join(
        f"{c.tool}({', '.join(f'{k}={json.dumps(v, default=str)}' for k, v in c.args.items())})"
        for c in calls
    )


def _shorten(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _wrapped(label: str, text: str) -> None:
    click.echo(
        textwrap.fill(
            text,
            width=WIDTH,
            initial_indent=label,
            subsequent_indent=" " * len(label),
            break_long_words=True,
            break_on_hyphens=False,
        )
    )
