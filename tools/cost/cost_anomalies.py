"""cost_anomalies: which days and services (or accounts) broke from their usual spend, and why."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus
from tools.cost.anomalies import (
    HISTORY_DAYS,
    MIN_HISTORY_DAYS,
    SENSITIVITY_Z,
    DetectOptions,
    Event,
    contributors,
    detect_series,
    first_checkable,
    severity,
)
from tools.cost.charts import Mark, trend_chart, window_title
from tools.cost.datastore import cost_store
from tools.cost.money import amount, cents, money, signed_percent, to_decimal
from tools.cost.periods import Period, resolve_period
from tools.cost.query import CostFilter, account_clause, daily_by, require_visible_account, totals
from tools.cost.services import match_service
from tools.presentation import Chart, Table

_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


class CostAnomaliesInput(ToolInput):
    period: str = Field(
        default="last_30_days",
        description="Days to search: a preset (last_7_days, last_30_days, this_month…), YYYY-MM or a range",
    )
    group_by: Literal["service", "account"] = Field(
        default="service", description="Look for anomalies per service or per account"
    )
    service: str | None = Field(default=None, description="Only this service (EC2, S3, …)")
    account: str | None = Field(default=None, description="Only this account id or name")
    region: str | None = Field(default=None, description="Only this region")
    sensitivity: Literal["low", "medium", "high"] = Field(
        default="medium", description="high finds smaller deviations (and more false alarms)"
    )
    min_impact: float | None = Field(
        default=None, ge=0, description="Ignore anomalies adding less than this per day (billing currency)"
    )
    cost_type: Literal["billed", "effective"] = "billed"
    limit: int = Field(default=10, ge=1, le=100)
    chart: bool = Field(default=True, description="Attach a PNG chart of the daily spend")


class AnomalyDriver(BaseModel):
    resource_id: str
    usage_type: str
    account: str
    region: str
    actual: Decimal
    expected: Decimal
    delta: Decimal


class CostAnomaly(BaseModel):
    key: str
    dimension: str
    start: date
    end: date
    days: int
    actual: Decimal
    expected: Decimal
    impact: Decimal
    # Impact over expected (1.5 = +150%); None when nothing was expected.
    relative: float | None
    severity: Literal["critical", "high", "medium", "low"]
    score: float
    drivers: list[AnomalyDriver] = Field(default_factory=list)


class RecentChange(BaseModel):
    key: str
    before: Decimal
    recent: Decimal
    change: Decimal


class CostAnomaliesResult(ToolResult):
    period: str = ""
    period_start: date | None = None
    period_end: date | None = None
    group_by: str = "service"
    currency: str | None = None
    series_checked: int = 0
    typical_daily_spend: Decimal = Decimal("0.00")
    anomalies: list[CostAnomaly] = Field(default_factory=list)
    data_start: date | None = None
    data_end: date | None = None
    # The days that had the history a baseline needs (MIN_HISTORY_DAYS) and were judged; None
    # when none had: then nothing was judged, and `recent_changes` shows what the data does say.
    checked_start: date | None = None
    checked_end: date | None = None
    # Groups with charges in the period but too little history to judge any of its days, the
    # largest spend first.
    too_new: list[str] = Field(default_factory=list)
    # Last 7 days of data against the 7 before, per group (no baseline: not findings), when
    # less than half the period could be judged.
    recent_changes: list[RecentChange] = Field(default_factory=list)


class CostAnomalies(ReadOnlyTool[CostAnomaliesInput, CostAnomaliesResult]):
    name: ClassVar[str] = "cost_anomalies"
    description: ClassVar[str] = (
        "Cost spikes: finds days where a service's (or account's) spend broke from its own history, "
        "allowing for weekday/weekend patterns, rates them by absolute and relative impact, and names "
        "the resources and usage types that drove each jump."
    )
    input_model: ClassVar[type[ToolInput]] = CostAnomaliesInput
    result_model: ClassVar[type[ToolResult]] = CostAnomaliesResult
    permissions: ClassVar[tuple[str, ...]] = ()

    def run(self, ctx: ToolContext, args: CostAnomaliesInput) -> CostAnomaliesResult:
        period = resolve_period(args.period, ctx.clock.now())
        store = cost_store(ctx)
        result = CostAnomaliesResult(
            period=period.label, period_start=period.start, period_end=period.last_day, group_by=args.group_by
        )
        coverage = store.coverage()
        if coverage is None:
            return _status(result, ToolStatus.NO_DATA, "The cost data is empty: no charges are loaded.")
        result.data_end = coverage.last_day
        scan_end = min(period.end, coverage.last_day + timedelta(days=1))
        if scan_end <= period.start:
            return _status(
                result,
                ToolStatus.NO_DATA,
                f"No cost data {period.phrase}: the data covers {coverage.first_day} to {coverage.last_day}.",
            )
        names: tuple[str, ...] | None = None
        if args.service:
            match = match_service(args.service, store.distinct("ServiceName"))
            if not match.matched:
                return _status(
                    result, ToolStatus.NO_DATA, f"No service in the cost data matches '{args.service}'."
                )
            names = match.names
        history_start = period.start - timedelta(days=HISTORY_DAYS)
        require_visible_account(store, args.account, ctx.allowed_accounts)
        flt = CostFilter(
            start=history_start,
            end=scan_end,
            service_names=names,
            region=args.region,
            account=args.account,
            accounts=ctx.allowed_accounts,
            usage_only=True,
        )
        currencies = totals(store, flt)
        if len(currencies) > 1:
            return _status(
                result,
                ToolStatus.ERROR,
                "These charges are billed in several currencies; "
                "narrow the search to one account or service.",
            )
        if not currencies:
            return _status(
                result, ToolStatus.NO_DATA, f"No usage charges {period.phrase} match these filters."
            )
        currency = currencies[0].currency
        result.currency = currency
        per_key = _floats(daily_by(store, flt, args.group_by, args.cost_type))
        total = _floats(daily_by(store, flt, None, args.cost_type)).get("Total", {})
        first = min(total) if total else period.start
        result.data_start = max(coverage.first_day, first)
        checked_from = max(period.start, first_checkable(first))
        result.series_checked = len(per_key)
        if checked_from >= scan_end:
            return _too_short(ctx, args, result, per_key, total, period, scan_end, currency)
        result.checked_start, result.checked_end = checked_from, scan_end - timedelta(days=1)
        in_period = {k: sum(x for d, x in v.items() if d >= period.start) for k, v in per_key.items()}
        result.too_new = sorted(
            (k for k, v in per_key.items() if in_period[k] and first_checkable(min(v)) >= scan_end),
            key=lambda k: -in_period[k],
        )
        typical = _typical(total, checked_from)
        result.typical_daily_spend = cents(to_decimal(round(typical, 6)))
        default_floor = max(1.0, 0.005 * typical)
        opts = DetectOptions(z=SENSITIVITY_Z[args.sensitivity], min_impact=args.min_impact or default_floor)
        events: list[Event] = []
        for key, values in per_key.items():
            events += detect_series(key, values, period.start, scan_end, opts)
        for event in events:
            event.severity = severity(event, typical)
        events.sort(key=lambda e: (_SEVERITY_ORDER[e.severity], -e.impact))
        shown = events[: args.limit]
        for event in shown:
            clause = _dimension_clause(args.group_by, event.key)
            event.contributors = contributors(store, flt, event, args.cost_type, clause)
        result.anomalies = [_item(e, args.group_by) for e in shown]
        partial = checked_from > period.start
        days = _span(checked_from, scan_end - timedelta(days=1))
        scanned = f"{result.series_checked} {args.group_by}s " + (f"on {days}" if partial else period.phrase)
        if not events:
            result.message = (
                f"No cost anomalies in {scanned}: daily spend stayed within its usual weekly pattern "
                f"(typical day {money(typical, currency)})."
            )
        else:
            result.message = _summary(result.anomalies, len(events), scanned, currency)
            result.tables = [_table(result.anomalies, args.group_by, currency)]
        notes = _coverage_notes(
            result, period.start, period.end, scan_end, checked_from, args.group_by, in_period
        )
        if partial and (scan_end - checked_from).days * 2 < (scan_end - period.start).days:
            # Most of the period went unjudged: show what the data does say about it.
            text, table = _recent(result, per_key, scan_end, args.group_by, currency)
            notes.append(text)
            result.tables += [table] if table else []
        result.message = " ".join([result.message, *(n for n in notes if n)])
        if args.chart:
            caption = None
            if partial:
                caption = (
                    f"Days before {checked_from} are not judged: the data starts on {result.data_start} "
                    f"and a day is compared with the {MIN_HISTORY_DAYS} days before it."
                )
            result.charts = _chart(ctx, total, per_key, result, period.start, scan_end, currency, caption)
        return result


def _floats(series: dict[str, dict[date, Decimal]]) -> dict[str, dict[date, float]]:
    return {k: {d: float(v) for d, v in days.items()} for k, days in series.items()}


def _typical(total: dict[date, float], before: date) -> float:
    history = sorted(v for d, v in total.items() if d < before)
    if not history:
        history = sorted(total.values())
    return history[len(history) // 2] if history else 0.0


def _dimension_clause(group_by: str, key: str) -> tuple[str, list[object]]:
    if group_by == "service":
        return "c.ServiceName = ?", [key]
    return account_clause(), [key.lower()] * 4


def _item(event: Event, dimension: str) -> CostAnomaly:
    rel = event.relative
    return CostAnomaly(
        key=event.key,
        dimension=dimension,
        start=event.start,
        end=event.end,
        days=len(event.days),
        actual=_money(event.actual),
        expected=_money(event.expected),
        impact=_money(event.impact),
        relative=None if rel == float("inf") else round(rel, 4),
        severity=event.severity,
        score=round(max(d.score for d in event.days), 2),
        drivers=[
            AnomalyDriver(
                resource_id=c.resource_id,
                usage_type=c.usage_type,
                account=c.account,
                region=c.region,
                actual=_money(c.actual),
                expected=_money(c.expected),
                delta=_money(c.delta),
            )
            for c in event.contributors
        ],
    )


def _money(value: float) -> Decimal:
    return cents(to_decimal(round(value, 6)))


def _days(a: CostAnomaly) -> str:
    return a.start.isoformat() if a.start == a.end else f"{a.start.isoformat()} – {a.end.isoformat()}"


def _driver(a: CostAnomaly, currency: str | None) -> str:
    if not a.drivers:
        return ""
    d = a.drivers[0]
    where = ", ".join(x for x in (d.account, d.region) if x)
    usage = d.usage_type if len(d.usage_type) <= 48 else d.usage_type[:47] + "…"
    return f"{usage} on {d.resource_id}" + (f" ({where})" if where else "") + f" +{money(d.delta, currency)}"


def _summary(items: list[CostAnomaly], count: int, scanned: str, currency: str | None) -> str:
    head = f"Found {count} cost anomal{'y' if count == 1 else 'ies'} in {scanned}."
    lines = []
    for a in items[:3]:
        change = signed_percent(a.relative)
        driver = _driver(a, currency)
        lines.append(
            f"{a.severity.upper()}: {a.key} on {_days(a)} cost {money(a.actual, currency)}, "
            f"{money(a.impact, currency)} ({change}) more than its usual {money(a.expected, currency)}"
            + (f" — mostly {driver}" if driver else "")
            + "."
        )
    return " ".join([head, *lines])


def _table(items: list[CostAnomaly], group_by: str, currency: str | None) -> Table:
    return Table(
        title="Cost anomalies",
        columns=[
            "Days",
            group_by.capitalize(),
            f"Actual ({currency})",
            "Expected",
            "Impact",
            "Change",
            "Severity",
            "Top driver",
        ],
        rows=[
            [
                _days(a),
                a.key,
                amount(a.actual),
                amount(a.expected),
                amount(a.impact),
                signed_percent(a.relative),
                a.severity,
                _driver(a, currency),
            ]
            for a in items
        ],
        numeric=[2, 3, 4, 5],
    )


def _chart(
    ctx: ToolContext,
    total: dict[date, float],
    per_key: dict[str, dict[date, float]],
    result: CostAnomaliesResult,
    start: date,
    end: date,
    currency: str | None,
    caption: str | None,
) -> list[Chart]:
    """The daily total as a grey area, each anomalous group's own line over it, and every anomaly
    ringed on its group's line (never on the total), named with the group."""
    first = max(start - timedelta(days=28), min(total) if total else start)
    days = [first + timedelta(days=i) for i in range((end - first).days)]
    keys = list(dict.fromkeys(a.key for a in result.anomalies[:6]))[:4]
    lines = {k: [per_key.get(k, {}).get(d, 0.0) for d in days] for k in keys}
    marks = [
        Mark(a.start.isoformat(), a.key, f"{a.key}: +{money(a.impact, currency)}")
        for a in result.anomalies[:6]
        if a.key in lines
    ]
    daily = [total.get(d, 0.0) for d in days]
    chart = trend_chart(
        ctx.settings,
        # The 28 days before the period are drawn too (the baseline): name the window drawn.
        window_title("Daily usage spend", days)
        + (f" (anomalies in {result.period} marked on their {result.group_by})" if marks else ""),
        [d.isoformat() for d in days],
        lines or {"daily spend": daily},
        currency,
        stacked=False,
        marks=marks,
        total=("total", daily) if lines else None,
        caption=caption,
    )
    return [chart]


def _signed(value: float) -> str:
    text = amount(value)
    return text if text.startswith(("-", "<", ">")) or text == "0.00" else f"+{text}"


def _span(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"


def _coverage_notes(
    result: CostAnomaliesResult,
    start: date,
    end: date,
    scan_end: date,
    checked_from: date,
    group_by: str,
    new_spend: dict[str, float],
) -> list[str]:
    """What part of the period was judged, and why not the rest."""
    notes = []
    period_spend = sum(new_spend.values())
    if checked_from > start:
        notes.append(
            f"{_span(start, checked_from - timedelta(days=1))} could not be checked: the cost data starts "
            f"on {result.data_start} and a day is judged only against the {MIN_HISTORY_DAYS} days before it."
        )
    if scan_end < end:
        notes.append(f"The cost data ends on {result.data_end}; later days have no charges to check.")
    if result.too_new:
        # Name the ones that matter (1%+ of the period's spend); count the rest.
        named = [k for k in result.too_new if new_spend.get(k, 0.0) >= 0.01 * period_spend][:5]
        rest = len(result.too_new) - len(named)
        noun = group_by + ("s" if len(result.too_new) > 1 else "")
        what = (
            ", ".join(named) + (f" and {rest} smaller" if rest else "")
            if named
            else "each under 1% of the spend"
        )
        notes.append(f"{len(result.too_new)} {noun} started too recently to judge ({what}).")
    return notes


def _too_short(
    ctx: ToolContext,
    args: CostAnomaliesInput,
    result: CostAnomaliesResult,
    per_key: dict[str, dict[date, float]],
    total: dict[date, float],
    period: Period,
    scan_end: date,
    currency: str | None,
) -> CostAnomaliesResult:
    """No day of the period has the history a baseline needs: say so, and show what the data does
    say (the last week against the one before), not a spike measured against a few days."""
    first_ok = first_checkable(result.data_start or period.start)
    head = (
        f"Not enough history to look for cost anomalies {period.phrase}: the cost data starts on "
        f"{result.data_start} and ends on {result.data_end}, and a day is judged only against the "
        f"{MIN_HISTORY_DAYS} days before it: the first day that can be judged is {first_ok}, once the data "
        "reaches it."
    )
    text, table = _recent(result, per_key, scan_end, args.group_by, currency)
    result.message = " ".join(p for p in (head, text) if p)
    result.tables = [table] if table else []
    if args.chart:
        caption = (
            f"Too little history to judge anomalies: the data starts on {result.data_start}, "
            f"and a day is compared with the {MIN_HISTORY_DAYS} days before it."
        )
        result.charts = _chart(ctx, total, per_key, result, period.start, scan_end, currency, caption)
    return result


def _recent(
    result: CostAnomaliesResult,
    per_key: dict[str, dict[date, float]],
    scan_end: date,
    group_by: str,
    currency: str | None,
) -> tuple[str, Table | None]:
    """The last 7 days of data against the 7 before, per group: plain figures, not anomalies."""
    last = scan_end - timedelta(days=1)
    if result.data_start is None or (last - result.data_start).days < 13:
        return "", None
    week = [last - timedelta(days=i) for i in range(7)]
    before = [d - timedelta(days=7) for d in week]
    sums = {
        key: (sum(v.get(d, 0.0) for d in before), sum(v.get(d, 0.0) for d in week))
        for key, v in per_key.items()
    }
    ranked = sorted(sums, key=lambda k: sums[k][0] - sums[k][1])[:5]
    result.recent_changes = [
        RecentChange(key=k, before=_money(b), recent=_money(r), change=_money(r - b))
        for k in ranked
        for b, r in [sums[k]]
    ]
    b_all = sum(b for b, _ in sums.values())
    r_all = sum(r for _, r in sums.values())
    risers = [k for k in ranked[:3] if sums[k][1] > sums[k][0]]
    text = (
        f"What the data does show (plain figures, not judged against a baseline): usage cost "
        f"{money(r_all, currency)} in its last 7 days ({_span(week[-1], last)}) against "
        f"{money(b_all, currency)} the 7 days before"
    )
    if risers:
        text += "; biggest rises: " + ", ".join(
            f"{k} +{money(sums[k][1] - sums[k][0], currency)}" for k in risers
        )
    table = Table(
        title="Last 7 days of data against the 7 before (not judged against a baseline)",
        columns=[group_by.capitalize(), f"7 days before ({currency})", "Last 7 days", "Change"],
        rows=[[k, amount(sums[k][0]), amount(sums[k][1]), _signed(sums[k][1] - sums[k][0])] for k in ranked],
        numeric=[1, 2, 3],
    )
    return text + ".", table


def _status(result: CostAnomaliesResult, status: ToolStatus, message: str) -> CostAnomaliesResult:
    result.status = status
    result.message = message
    return result
