"""cost_forecast: what will we spend by month end (or over the next N days), with an interval."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus
from tools.cost.charts import Band, trend_chart, window_title
from tools.cost.datastore import cost_store
from tools.cost.money import amount, cents, money, to_decimal
from tools.cost.query import CostFilter, daily_by, require_visible_account, totals
from tools.cost.services import match_service
from tools.cost.timeseries import Backtest, backtest, dense, fit, interval, predict
from tools.presentation import Chart, Table

HISTORY_DAYS = 91
MIN_HISTORY_DAYS = 14
# Data that ends more than this long before today is called out as stale.
STALE_AFTER_DAYS = 3


class CostForecastInput(ToolInput):
    target: Literal["month_end", "next_month", "days"] = Field(
        default="month_end",
        description="month_end: this month's total; next_month: next month's total; days: the next N days",
    )
    days: int = Field(default=30, ge=1, le=365, description="N for target=days")
    group_by: Literal["service", "account"] | None = Field(
        default=None, description="Also forecast per group"
    )
    service: str | None = None
    account: str | None = None
    region: str | None = None
    cost_type: Literal["billed", "effective"] = "billed"
    top: int = Field(default=8, ge=1, le=50, description="Groups forecast on their own; the rest as Other")
    chart: bool = True


class GroupForecast(BaseModel):
    key: str
    actual: Decimal
    forecast: Decimal
    total: Decimal
    low: Decimal
    high: Decimal


class BacktestReport(BaseModel):
    origins: int
    horizon_days: int
    # Mean absolute percentage error of the horizon's total, and of single days.
    total_mape: float | None
    daily_mape: float | None


class CostForecastResult(ToolResult):
    currency: str | None = None
    target: str = "month_end"
    window_start: date | None = None
    window_end: date | None = None
    # Actual spend in the window so far (days before the first forecast day).
    actual: Decimal = Decimal("0.00")
    forecast_from: date | None = None
    forecast: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")
    # An 80% interval for the total.
    low: Decimal = Decimal("0.00")
    high: Decimal = Decimal("0.00")
    interval_level: float = 0.8
    groups: list[GroupForecast] = Field(default_factory=list)
    backtest: BacktestReport | None = None
    data_end: date | None = None
    method: str = (
        "daily usage: robust level x weekday pattern x damped trend from up to 13 weeks of history; "
        "interval from rolling-origin backtest errors"
    )


@dataclass(frozen=True)
class _Window:
    start: date
    end: date  # exclusive
    label: str


class CostForecast(ReadOnlyTool[CostForecastInput, CostForecastResult]):
    name: ClassVar[str] = "cost_forecast"
    description: ClassVar[str] = (
        "Spend forecast from the bill's daily history: this month's total (actual so far plus forecast), "
        "next month, or the next N days, with an 80% interval, per total and per service or account, "
        "and the forecaster's own backtest error on the data it has."
    )
    input_model: ClassVar[type[ToolInput]] = CostForecastInput
    result_model: ClassVar[type[ToolResult]] = CostForecastResult
    permissions: ClassVar[tuple[str, ...]] = ()

    def run(self, ctx: ToolContext, args: CostForecastInput) -> CostForecastResult:
        today = ctx.clock.now().date()
        window = _window(args, today)
        result = CostForecastResult(
            target=args.target, window_start=window.start, window_end=window.end - timedelta(1)
        )
        store = cost_store(ctx)
        coverage = store.coverage()
        if coverage is None:
            return _status(result, ToolStatus.NO_DATA, "The cost data is empty: no charges are loaded.")
        result.data_end = coverage.last_day
        # Today's charges are still arriving; the forecast starts today, or after the data ends.
        forecast_from = min(today, coverage.last_day + timedelta(days=1))
        history_end = min(forecast_from, coverage.last_day + timedelta(days=1))
        history_start = history_end - timedelta(days=HISTORY_DAYS)
        names = None
        if args.service:
            match = match_service(args.service, store.distinct("ServiceName"))
            if not match.matched:
                return _status(
                    result, ToolStatus.NO_DATA, f"No service in the cost data matches '{args.service}'."
                )
            names = match.names
        require_visible_account(store, args.account, ctx.allowed_accounts)
        flt = CostFilter(
            start=min(history_start, window.start),
            end=max(history_end, window.start),
            service_names=names,
            region=args.region,
            account=args.account,
            accounts=ctx.allowed_accounts,
        )
        currencies = totals(store, flt)
        if len(currencies) > 1:
            return _status(
                result, ToolStatus.ERROR, "These charges are in several currencies; narrow the forecast."
            )
        if not currencies:
            return _status(
                result, ToolStatus.NO_DATA, "No charges match these filters in the recent history."
            )
        currency = currencies[0].currency
        result.currency = currency
        result.forecast_from = max(forecast_from, window.start)

        # Usage is modelled day by day; purchases, taxes and credits so far count as actuals.
        usage = _floats(daily_by(store, _usage(flt), args.group_by, args.cost_type))
        all_days = _floats(daily_by(store, flt, None, args.cost_type)).get("Total", {})
        usage_total = _floats(daily_by(store, _usage(flt), None, args.cost_type)).get("Total", {})
        first_day = min(usage_total) if usage_total else history_end
        start = max(history_start, first_day)
        if (history_end - start).days < MIN_HISTORY_DAYS:
            return _status(
                result,
                ToolStatus.NO_DATA,
                f"Not enough history to forecast: {max((history_end - start).days, 0)} days of usage before "
                f"{history_end} (at least {MIN_HISTORY_DAYS} needed).",
            )
        total = _forecast(usage_total, all_days, start, history_end, forecast_from, window)
        result.actual, result.forecast = _m(total.actual), _m(total.forecast)
        result.total, result.low, result.high = _m(total.total), _m(total.low), _m(total.high)
        result.backtest = BacktestReport(
            origins=total.test.origins,
            horizon_days=total.test.horizon_days,
            total_mape=None if total.test.total_mape is None else round(total.test.total_mape, 4),
            daily_mape=None if total.test.daily_mape is None else round(total.test.daily_mape, 4),
        )
        if args.group_by:
            result.groups = _groups(usage, start, history_end, forecast_from, window, args.top)
        result.message = _message(result, window, currency, today)
        result.tables = _tables(result, window, currency, args.group_by)
        if args.chart:
            result.charts = [_chart(ctx, usage_total, start, history_end, total, window, currency)]
        return result


@dataclass(frozen=True)
class _Outcome:
    actual: float
    forecast: float
    low: float
    high: float
    test: Backtest
    days: list[date]
    points: list[float]
    band_low: list[float]
    band_high: list[float]

    @property
    def total(self) -> float:
        return self.actual + self.forecast


def _forecast(
    usage: dict[date, float],
    everything: dict[date, float],
    start: date,
    history_end: date,
    forecast_from: date,
    window: _Window,
) -> _Outcome:
    days = [start + timedelta(days=i) for i in range((history_end - start).days)]
    values = dense(usage, start, history_end)
    model = fit(values, days)
    assert model is not None
    ahead = [forecast_from + timedelta(days=i) for i in range(max(0, (window.end - forecast_from).days))]
    ahead = [d for d in ahead if d >= window.start]
    points = [predict(model, d) for d in ahead]
    actual = sum(v for d, v in everything.items() if window.start <= d < min(forecast_from, window.end))
    test = backtest(values, days, max(len(ahead), 7))
    point = sum(points)
    low, high = interval(point, len(ahead), model, test)
    ratio_low = low / point if point else 1.0
    ratio_high = high / point if point else 1.0
    return _Outcome(
        actual=actual,
        forecast=point,
        low=actual + low,
        high=actual + high,
        test=test,
        days=ahead,
        points=points,
        band_low=[p * ratio_low for p in points],
        band_high=[p * ratio_high for p in points],
    )


def _groups(
    usage: dict[str, dict[date, float]],
    start: date,
    history_end: date,
    forecast_from: date,
    window: _Window,
    top: int,
) -> list[GroupForecast]:
    recent_start = history_end - timedelta(days=30)
    ranked = sorted(usage, key=lambda k: -sum(v for d, v in usage[k].items() if d >= recent_start))
    kept, rest = ranked[:top], ranked[top:]
    series = {k: usage[k] for k in kept}
    if rest:
        other: dict[date, float] = {}
        for k in rest:
            for d, v in usage[k].items():
                other[d] = other.get(d, 0.0) + v
        series["Other"] = other
    out = []
    for key, values in series.items():
        first = min(values) if values else history_end
        begin = max(start, first)
        if (history_end - begin).days < MIN_HISTORY_DAYS:
            continue
        outcome = _forecast(values, values, begin, history_end, forecast_from, window)
        out.append(
            GroupForecast(
                key=key,
                actual=_m(outcome.actual),
                forecast=_m(outcome.forecast),
                total=_m(outcome.total),
                low=_m(outcome.low),
                high=_m(outcome.high),
            )
        )
    return out


def _window(args: CostForecastInput, today: date) -> _Window:
    if args.target == "days":
        return _Window(today, today + timedelta(days=args.days), f"the next {args.days} days")
    first = today.replace(day=1)
    if args.target == "next_month":
        first = (first + timedelta(days=32)).replace(day=1)
    last = calendar.monthrange(first.year, first.month)[1]
    end = first.replace(day=last) + timedelta(days=1)
    label = f"{calendar.month_name[first.month]} {first.year}"
    return _Window(first, end, label)


def _usage(flt: CostFilter) -> CostFilter:
    return replace(flt, usage_only=True)


def _floats(series: dict[str, dict[date, Decimal]]) -> dict[str, dict[date, float]]:
    return {k: {d: float(v) for d, v in days.items()} for k, days in series.items()}


def _m(value: float) -> Decimal:
    return cents(to_decimal(round(value, 6)))


def _message(result: CostForecastResult, window: _Window, currency: str | None, today: date) -> str:
    bt = result.backtest
    parts = [
        f"Forecast for {window.label}: {money(result.total, currency)} "
        f"(80% interval {money(result.low, currency)} – {money(result.high, currency)})."
    ]
    if result.actual:
        parts.append(
            f"{money(result.actual, currency)} spent so far, {money(result.forecast, currency)} expected "
            f"from {result.forecast_from} to {window.end - timedelta(days=1)}."
        )
    if result.data_end and (today - result.data_end).days > STALE_AFTER_DAYS:
        parts.append(f"Note: the cost data ends on {result.data_end}; the forecast runs from there.")
    if bt and bt.total_mape is not None:
        parts.append(
            f"Backtest on this data: {bt.horizon_days}-day totals were off by "
            f"{bt.total_mape * 100:.1f}% on average "
            f"over {bt.origins} trials"
            + (f" (single days {bt.daily_mape * 100:.1f}%)." if bt.daily_mape else ".")
        )
    if result.groups:
        top = ", ".join(f"{g.key} {money(g.total, currency)}" for g in result.groups[:3])
        parts.append(f"Largest: {top}.")
    return " ".join(parts)


def _tables(
    result: CostForecastResult, window: _Window, currency: str | None, group_by: str | None
) -> list[Table]:
    rows: list[list[object]] = []
    for g in result.groups:
        rows.append(
            [
                g.key,
                amount(g.actual),
                amount(g.forecast),
                amount(g.total),
                f"{amount(g.low)} – {amount(g.high)}",
            ]
        )
    rows.append(
        [
            "Total",
            amount(result.actual),
            amount(result.forecast),
            amount(result.total),
            f"{amount(result.low)} – {amount(result.high)}",
        ]
    )
    title = (group_by or "scope").capitalize()
    return [
        Table(
            title=f"Forecast for {window.label} ({currency})",
            columns=[title, "Actual so far", "Forecast", "Expected total", "80% interval"],
            rows=rows,
            numeric=[1, 2, 3],
        )
    ]


def _chart(
    ctx: ToolContext,
    usage: dict[date, float],
    start: date,
    history_end: date,
    outcome: _Outcome,
    window: _Window,
    currency: str | None,
) -> Chart:
    shown_from = max(start, history_end - timedelta(days=60))
    days = [shown_from + timedelta(days=i) for i in range((history_end - shown_from).days)]
    return trend_chart(
        ctx.settings,
        # Named by the days actually drawn: recent history, then the forecast.
        window_title(f"Daily usage spend and forecast for {window.label}", [*days, *outcome.days]),
        [d.isoformat() for d in days],
        {"actual": [usage.get(d, 0.0) for d in days]},
        currency,
        stacked=False,
        forecast=Band(outcome.days, outcome.points, outcome.band_low, outcome.band_high),
    )


def _status(result: CostForecastResult, status: ToolStatus, message: str) -> CostForecastResult:
    result.status = status
    result.message = message
    return result
