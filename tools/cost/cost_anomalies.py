"""cost_anomalies: which days and services (or accounts) broke from their usual spend, and why."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus
from tools.cost.anomalies import (
    HISTORY_DAYS,
    SENSITIVITY_Z,
    DetectOptions,
    Event,
    contributors,
    detect_series,
    severity,
)
from tools.cost.charts import trend_chart, window_title
from tools.cost.datastore import cost_store
from tools.cost.money import amount, cents, money, signed_percent, to_decimal
from tools.cost.periods import resolve_period
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


class CostAnomaliesResult(ToolResult):
    period: str = ""
    period_start: date | None = None
    period_end: date | None = None
    group_by: str = "service"
    currency: str | None = None
    series_checked: int = 0
    typical_daily_spend: Decimal = Decimal("0.00")
    anomalies: list[CostAnomaly] = Field(default_factory=list)
    data_end: date | None = None


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
        typical = _typical(total, period.start)
        result.typical_daily_spend = cents(to_decimal(round(typical, 6)))
        default_floor = max(1.0, 0.005 * typical)
        opts = DetectOptions(z=SENSITIVITY_Z[args.sensitivity], min_impact=args.min_impact or default_floor)
        events: list[Event] = []
        for key, values in per_key.items():
            events += detect_series(key, values, period.start, scan_end, opts)
        result.series_checked = len(per_key)
        for event in events:
            event.severity = severity(event, typical)
        events.sort(key=lambda e: (_SEVERITY_ORDER[e.severity], -e.impact))
        shown = events[: args.limit]
        for event in shown:
            clause = _dimension_clause(args.group_by, event.key)
            event.contributors = contributors(store, flt, event, args.cost_type, clause)
        result.anomalies = [_item(e, args.group_by) for e in shown]
        scanned = f"{result.series_checked} {args.group_by}s {period.phrase}"
        if not events:
            result.message = (
                f"No cost anomalies in {scanned}: daily spend stayed within its usual weekly pattern "
                f"(typical day {money(typical, currency)})."
            )
        else:
            result.message = _summary(result.anomalies, len(events), scanned, currency)
            result.tables = [_table(result.anomalies, args.group_by, currency)]
        if args.chart:
            result.charts = _chart(ctx, total, result, period.start, scan_end, currency)
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
    result: CostAnomaliesResult,
    start: date,
    end: date,
    currency: str | None,
) -> list[Chart]:
    first = start - timedelta(days=28)
    days = [first + timedelta(days=i) for i in range((end - first).days)]
    values = [total.get(d, 0.0) for d in days]
    marks = []
    for a in result.anomalies[:6]:
        label = a.start.isoformat()
        marks.append((label, total.get(a.start, 0.0), f"{a.key}: +{money(a.impact, currency)}"))
    chart = trend_chart(
        ctx.settings,
        # The 28 days before the period are drawn too (the baseline): name the window drawn.
        window_title("Daily usage spend", days)
        + (f" (anomalies in {result.period} marked)" if marks else ""),
        [d.isoformat() for d in days],
        {"daily spend": values},
        currency,
        stacked=False,
        marks=marks,
    )
    return [chart]


def _status(result: CostAnomaliesResult, status: ToolStatus, message: str) -> CostAnomaliesResult:
    result.status = status
    result.message = message
    return result
