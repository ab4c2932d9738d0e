"""How a local cost_query answer reads: its headline pieces, tables and charts.

Kept apart from the gathering (`cost_query_local`) so the wording and layout of an answer can
change without touching the queries behind it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tools.base import ToolContext, ToolStatus
from tools.cost.charts import breakdown_chart, comparison_chart, trend_chart
from tools.cost.cost_query_models import CostGroup, CostQueryInput, CostQueryResult, group_title
from tools.cost.money import amount, cents, money, percent, share
from tools.cost.periods import Period
from tools.cost.providers import provider_label
from tools.cost.query import TIME_GROUPINGS, CurrencyTotal, GroupTotal
from tools.cost.services import ServiceMatch
from tools.presentation import Chart, Table

COST_WORDS = {"billed": "cost", "effective": "effective cost", "list": "cost at list price"}


def subject(match: ServiceMatch | None) -> str:
    if match is None:
        return "Total"
    if len(match.names) == 1:
        return match.names[0]
    label = match.alias.name if match.alias else match.query
    return f"{label} ({', '.join(match.names)})"


def criteria(args: CostQueryInput) -> list[str]:
    parts = []
    if args.provider:
        parts.append(f"provider {provider_label(args.provider)}")
    if args.region:
        parts.append(f"region {args.region}")
    if args.account:
        parts.append(f"account {args.account}")
    if args.resource:
        parts.append(f"resource {args.resource}")
    if args.charge_category:
        parts.append(f"charge category {args.charge_category}")
    return parts + [f"tag {k}={v}" for k, v in args.tags.items()]


def qualifiers(args: CostQueryInput) -> str:
    parts = criteria(args)
    return f" for {', '.join(parts)}" if parts else ""


def signed_money(value: Decimal, currency: str | None) -> str:
    return ("+" if value > 0 else "-") + money(abs(value), currency)


def labels(groups: list[GroupTotal]) -> list[str]:
    """Group keys, with the detail (e.g. the account id) added where two keys are the same."""
    counts: dict[str, int] = {}
    for g in groups:
        counts[g.key] = counts.get(g.key, 0) + 1
    return [f"{g.key} ({g.detail})" if counts[g.key] > 1 and g.detail else g.key for g in groups]


def group_row(g: GroupTotal, label: str, total: Decimal) -> CostGroup:
    return CostGroup(
        key=label, cost=cents(g.billed), share=share(g.billed, total), row_count=g.rows, exact=g.billed
    )


def table(title: str, key_title: str, currency: str | None, groups: list[CostGroup], total: Decimal) -> Table:
    rows: list[list[object]] = [[g.key, amount(g.amount), percent(g.share)] for g in groups]
    return Table(title=title, columns=[key_title, f"Cost ({currency})", "Share"], rows=rows, numeric=[1, 2])


def breakdown_text(result: CostQueryResult, title: str, currency: str | None) -> str:
    groups = result.groups
    if not groups:
        return ""
    if result.group_by in TIME_GROUPINGS and result.other_groups == 0 and len(groups) > 3:
        peak = max(groups, key=lambda g: g.amount)
        highest = f"{peak.key} ({money(peak.amount, currency)})"
        return f"{len(groups)} {title.lower()}s with charges; highest {highest}."
    shown = ", ".join(f"{g.key} {money(g.amount, currency)} ({percent(g.share)})" for g in groups[:3])
    more = len(groups) - 3 + result.other_groups
    tail = f"; {more} more in the table" if more > 0 else ""
    return f"By {title.lower()}: {shown}{tail}."


def charts(
    ctx: ToolContext,
    result: CostQueryResult,
    args: CostQueryInput,
    period: Period,
    stacks: dict[str, list[float]] | None = None,
) -> list[Chart]:
    """The answer's charts: a trend for a time grouping, bars for another grouping (paired when
    compared with a period that has data), and the spend per day or month; `stacks` (per group,
    one value per series bucket) turn that last one into stacked bars per group."""
    charts: list[Chart] = []
    currency = result.currency
    word = COST_WORDS[args.cost_type].capitalize()
    if args.group_by in TIME_GROUPINGS and len(result.groups) >= 2:
        buckets = [g.key for g in result.groups]
        charts.append(
            trend_chart(
                ctx.settings,
                f"{word} per {args.group_by}, {period.label}",
                buckets,
                {"cost": [float(g.amount) for g in result.groups]},
                currency,
                stacked=False,
            )
        )
    elif args.group_by and len(result.groups) >= 2:
        shown = result.groups[:15]
        labels = [g.key for g in shown]
        if result.comparison is not None:
            charts.append(
                comparison_chart(
                    ctx.settings,
                    f"{word} by {group_title(args.group_by).lower()}: "
                    f"{period.label} vs {result.comparison.period}",
                    labels,
                    [float(g.amount) for g in shown],
                    [float(g.previous_amount) for g in shown],
                    (period.label, result.comparison.period),
                    currency,
                )
            )
        else:
            charts.append(
                breakdown_chart(
                    ctx.settings,
                    f"{word} by {group_title(args.group_by).lower()}, {period.label}",
                    labels,
                    [float(g.amount) for g in shown],
                    currency,
                )
            )
    if args.granularity and len(result.series) >= 2:
        per = "day" if args.granularity == "daily" else "month"
        by = f" by {group_title(args.group_by).lower()}" if stacks and args.group_by else ""
        charts.append(
            trend_chart(
                ctx.settings,
                f"{word} per {per}{by}, {period.label}",
                [p.bucket for p in result.series],
                stacks or {"cost": [float(p.amount) for p in result.series]},
                currency,
                stacked=bool(stacks) or args.granularity == "monthly",
            )
        )
    return charts


def coverage_note(period: Period, first: date, last: date, today: date, what: str = "this period") -> str:
    """Which part of `period` the cost data covers, when it is not all of it ("" when it is). The
    last two days before today are not called missing: a bill is a day or two behind."""
    start = max(period.start, first)
    end = min(period.last_day, last)
    if period.last_day >= today and last >= today - timedelta(days=2):
        end = period.last_day
    if start <= period.start and end >= period.last_day:
        return ""
    if start > end:
        return f"There is no cost data for {what}: the data covers {first} to {last}."
    early, late = start > period.start, min(end, last) < period.last_day
    why = (
        f"it runs from {first} to {last}"
        if early and late
        else f"it starts on {first}"
        if early
        else f"it ends on {last}"
    )
    return (
        f"The cost data covers only {start} – {min(end, last)} of {what} "
        f"({period.start} – {period.last_day}); {why}."
    )


def no_data(base: CostQueryResult, message: str) -> CostQueryResult:
    return base.model_copy(update={"status": ToolStatus.NO_DATA, "message": message})


def mixed_currencies(base: CostQueryResult, found: list[CurrencyTotal], period: Period) -> CostQueryResult:
    amounts = ", ".join(money(t.billed, t.currency) for t in found)
    table = Table(
        title=f"Cost per billing currency {period.phrase}",
        columns=["Currency", "Cost", "Charges"],
        rows=[[t.currency, amount(t.billed), t.rows] for t in found],
        numeric=[1, 2],
    )
    return base.model_copy(
        update={
            "status": ToolStatus.ERROR,
            "message": (
                f"These charges are billed in {len(found)} currencies ({amounts}) and cannot be added "
                "up. Narrow the question to one account or service billed in a single currency."
            ),
            "tables": [table],
            "row_count": sum(t.rows for t in found),
        }
    )
