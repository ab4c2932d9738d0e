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
# A forecast needs four weeks of daily usage: the weekday pattern is read from three (fewer and
# every weekday factor is 1), and the forecaster must then be tried on at least one more week it
# did not see, or nothing says how far off it runs.
MIN_HISTORY_DAYS = 28
# With less than a week, even a run rate would just reflect which weekdays the data happens to hold.
MIN_RUN_RATE_DAYS = 7
# The forecaster is also tried on the data it has (a rolling-origin backtest). Its figure is shown
# only when it was tried at least twice (one trial is an anecdote, not an error rate), its trials'
# totals missed by under half on average (past that, the run rate is as good a guess and claims
# less), and its 80% interval is narrower than the forecast itself (a wider one says the history
# cannot pin the figure down: with a month of data the bundled sample's ran from $0 to 11x the
# point). Otherwise the answer says why and gives the run rate instead.
MIN_BACKTEST_TRIALS = 2
MAX_BACKTEST_ERROR = 0.5
MAX_INTERVAL_WIDTH = 1.0
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
    # None for a run rate: its low and high are what the lowest and highest weekly averages of the
    # history would give, not a probability interval.
    interval_level: float | None = 0.8
    groups: list[GroupForecast] = Field(default_factory=list)
    backtest: BacktestReport | None = None
    data_end: date | None = None
    # "forecast", or "run_rate" when the history cannot support a forecast (`no_forecast_reason`
    # says why): then `forecast` is the recent average daily usage times the days left.
    basis: Literal["forecast", "run_rate"] = "forecast"
    no_forecast_reason: str | None = None
    history_days: int = 0
    run_rate_daily: Decimal | None = None
    run_rate_days: int | None = None
    # Groups with too little history of their own to forecast.
    not_forecast: list[str] = Field(default_factory=list)
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
        days = max((history_end - start).days, 0)
        result.history_days = days
        if days < MIN_RUN_RATE_DAYS:
            return _status(
                result,
                ToolStatus.NO_DATA,
                f"Not enough history to forecast, or even to give a run rate: {days} days of usage before "
                f"{history_end} (a forecast needs {MIN_HISTORY_DAYS}, a run rate a full week).",
            )
        span = f"{days} days of usage ({start} – {history_end - timedelta(days=1)})"
        reason: str | None = f"the cost data has only {span}, and a forecast needs {MIN_HISTORY_DAYS}"
        total: _Outcome | None = None
        if days >= MIN_HISTORY_DAYS:
            total = _forecast(usage_total, all_days, start, history_end, forecast_from, window)
            reason = _unreliable(total, span)
        if total is not None and total.test is not None:
            result.backtest = BacktestReport(
                origins=total.test.origins,
                horizon_days=total.test.horizon_days,
                total_mape=None if total.test.total_mape is None else round(total.test.total_mape, 4),
                daily_mape=None if total.test.daily_mape is None else round(total.test.daily_mape, 4),
            )
        if total is None or reason is not None:
            total = _run_rate(usage_total, all_days, start, history_end, forecast_from, window)
            result.basis, result.no_forecast_reason = "run_rate", reason
            result.interval_level = None
            result.run_rate_daily = _m(total.rate)
            result.run_rate_days = total.rate_days
            result.method = (
                "run rate: average daily usage over the last whole weeks of history times the days left; "
                "range from the lowest and highest weekly averages (no forecast: too little history)"
            )
        result.actual, result.forecast = _m(total.actual), _m(total.forecast)
        result.total, result.low, result.high = _m(total.total), _m(total.low), _m(total.high)
        if args.group_by:
            result.groups, result.not_forecast = _groups(
                usage, start, history_end, forecast_from, window, args.top, result.basis
            )
        result.message = _message(result, total, window, currency, today)
        result.tables = _tables(result, total, window, currency, args.group_by)
        if args.chart:
            result.charts = [_chart(ctx, usage_total, start, history_end, total, window, currency, result)]
        return result


@dataclass(frozen=True)
class _Outcome:
    actual: float
    forecast: float
    low: float
    high: float
    # The backtest (None for a run rate).
    test: Backtest | None
    # Every day from the first forecast day to the window's end (drawn), with its point and band;
    # only those inside the window count in the figures.
    days: list[date]
    points: list[float]
    band_low: list[float]
    band_high: list[float]
    # For a run rate: the average daily usage and the days it is taken over.
    rate: float = 0.0
    rate_days: int = 0
    # The first and last day the rate is the average of.
    rate_span: tuple[date, date] | None = None

    @property
    def total(self) -> float:
        return self.actual + self.forecast


def _ahead(forecast_from: date, window: _Window) -> list[date]:
    return [forecast_from + timedelta(days=i) for i in range(max(0, (window.end - forecast_from).days))]


def _actual(everything: dict[date, float], forecast_from: date, window: _Window) -> float:
    return sum(v for d, v in everything.items() if window.start <= d < min(forecast_from, window.end))


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
    path = _ahead(forecast_from, window)
    points = [predict(model, d) for d in path]
    counted = [p for d, p in zip(path, points, strict=True) if d >= window.start]
    actual = _actual(everything, forecast_from, window)
    test = backtest(values, days, max(len(counted), 7))
    point = sum(counted)
    low, high = interval(point, len(counted), model, test)
    ratio_low = low / point if point else 1.0
    ratio_high = high / point if point else 1.0
    return _Outcome(
        actual=actual,
        forecast=point,
        low=actual + low,
        high=actual + high,
        test=test,
        days=path,
        points=points,
        band_low=[p * ratio_low for p in points],
        band_high=[p * ratio_high for p in points],
    )


def _unreliable(outcome: _Outcome, span: str) -> str | None:
    """Why this forecast should not be shown (see MIN_BACKTEST_TRIALS and after), or None."""
    test = outcome.test
    if test is None or test.total_mape is None or test.origins == 0:
        return f"the forecaster could not be tried on the {span} the cost data has"
    tried = f"{test.origins} {'try' if test.origins == 1 else 'tries'} of {test.horizon_days}-day totals"
    missed = f"{test.total_mape * 100:.0f}%"
    if test.origins < MIN_BACKTEST_TRIALS:
        return f"the {span} in the cost data allowed only {tried} to check the forecaster (off by {missed})"
    if test.total_mape > MAX_BACKTEST_ERROR:
        return f"tried on the {span} in the cost data, the forecaster missed by {missed} on average ({tried})"
    width = outcome.high - outcome.low
    if outcome.forecast > 0 and width > MAX_INTERVAL_WIDTH * outcome.forecast:
        return f"on the {span} in the cost data its 80% interval is wider than the forecast itself"
    return None


def _run_rate(
    usage: dict[date, float],
    everything: dict[date, float],
    start: date,
    history_end: date,
    forecast_from: date,
    window: _Window,
) -> _Outcome:
    """The recent average daily usage times the days left: whole weeks, so weekends weigh as they
    do in a month (the last two weeks when there are two, else the last one). The range comes from
    the lowest and the highest weekly average of the history."""
    values = dense(usage, start, history_end)
    weeks = [sum(values[i - 7 : i]) / 7 for i in range(len(values), 6, -7)]
    rate_days = 14 if len(weeks) >= 2 else 7
    rate = sum(values[-rate_days:]) / rate_days
    path = _ahead(forecast_from, window)
    days_left = sum(1 for d in path if d >= window.start)
    actual = _actual(everything, forecast_from, window)
    return _Outcome(
        actual=actual,
        forecast=rate * days_left,
        low=actual + min(weeks) * days_left,
        high=actual + max(weeks) * days_left,
        test=None,
        days=path,
        points=[rate] * len(path),
        band_low=[rate] * len(path),
        band_high=[rate] * len(path),
        rate=rate,
        rate_days=rate_days,
        rate_span=(history_end - timedelta(days=rate_days), history_end - timedelta(days=1)),
    )


def _groups(
    usage: dict[str, dict[date, float]],
    start: date,
    history_end: date,
    forecast_from: date,
    window: _Window,
    top: int,
    basis: str,
) -> tuple[list[GroupForecast], list[str]]:
    """Each large group on its own (the rest as Other), on the same basis as the total; groups
    without the history that basis needs are named, not guessed."""
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
    out, skipped = [], []
    needed = MIN_HISTORY_DAYS if basis == "forecast" else MIN_RUN_RATE_DAYS
    for key, values in series.items():
        first = min(values) if values else history_end
        begin = max(start, first)
        if (history_end - begin).days < needed:
            skipped.append(key)
            continue
        estimate = _forecast if basis == "forecast" else _run_rate
        outcome = estimate(values, values, begin, history_end, forecast_from, window)
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
    return out, skipped


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


def _message(
    result: CostForecastResult, outcome: _Outcome, window: _Window, currency: str | None, today: date
) -> str:
    if result.basis == "run_rate":
        return _run_rate_message(result, outcome, window, currency, today)
    bt = result.backtest
    parts = [
        f"Forecast for {window.label}: {money(outcome.total, currency)} "
        f"(80% interval {money(outcome.low, currency)} – {money(outcome.high, currency)})."
    ]
    if result.actual:
        parts.append(
            f"{money(outcome.actual, currency)} spent so far, {money(outcome.forecast, currency)} expected "
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
    parts += _group_notes(result, currency)
    return " ".join(parts)


def _run_rate_message(
    result: CostForecastResult, outcome: _Outcome, window: _Window, currency: str | None, today: date
) -> str:
    """No forecast: say why, then what the data does support, a run rate, named as such."""
    assert outcome.rate_span is not None
    rate_start, rate_end = outcome.rate_span
    days_left = sum(1 for d in outcome.days if d >= window.start)
    parts = [
        f"No forecast for {window.label}: {result.no_forecast_reason}, so a forecast would be a guess "
        "dressed as a figure.",
        f"What the data supports is a run rate: usage averaged {money(outcome.rate, currency)} a day over "
        f"the last {outcome.rate_days} days of data ({rate_start} – {rate_end}); {days_left} days at that "
        f"rate come to {money(outcome.forecast, currency)}"
        + (
            f", on top of {money(outcome.actual, currency)} spent so far: {money(outcome.total, currency)}."
            if result.actual
            else "."
        ),
    ]
    if outcome.high > outcome.low:
        parts.append(
            f"At the lowest and highest weekly averages so far it would be {money(outcome.low, currency)} "
            f"to {money(outcome.high, currency)}."
        )
    if result.data_end and (today - result.data_end).days > STALE_AFTER_DAYS:
        parts.append(f"Note: the cost data ends on {result.data_end}; the days since have no actuals.")
    parts += _group_notes(result, currency)
    return " ".join(parts)


def _group_notes(result: CostForecastResult, currency: str | None) -> list[str]:
    notes = []
    if result.groups:
        top = ", ".join(f"{g.key} {money(g.total, currency)}" for g in result.groups[:3])
        notes.append(f"Largest: {top}.")
    if result.not_forecast:
        names = ", ".join(result.not_forecast[:5])
        more = len(result.not_forecast) - 5
        notes.append(
            f"Too little history of their own to estimate: {names}"
            + (f" and {more} more." if more > 0 else ".")
        )
    return notes


def _tables(
    result: CostForecastResult,
    outcome: _Outcome,
    window: _Window,
    currency: str | None,
    group_by: str | None,
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
            amount(outcome.actual),
            amount(outcome.forecast),
            amount(outcome.total),
            f"{amount(outcome.low)} – {amount(outcome.high)}",
        ]
    )
    title = (group_by or "scope").capitalize()
    if result.basis == "run_rate":
        return [
            Table(
                title=f"Run rate for {window.label}, not a forecast ({currency})",
                columns=[title, "Actual so far", "At the run rate", "Expected total", "Weekly low – high"],
                rows=rows,
                numeric=[1, 2, 3],
            )
        ]
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
    result: CostForecastResult,
) -> Chart:
    """Recent daily usage, then the forecast (or run rate) from the day after the last actual day
    to the window's end, the window shaded; for a run rate, a caption says why it is not a forecast."""
    shown_from = max(start, history_end - timedelta(days=60))
    days = [shown_from + timedelta(days=i) for i in range((history_end - shown_from).days)]
    last = window.end - timedelta(days=1)
    if result.basis == "run_rate":
        band = Band(
            outcome.days,
            outcome.points,
            outcome.band_low,
            outcome.band_high,
            label=f"run rate {money(outcome.rate, currency)}/day (not a forecast)",
            window=(max(window.start, outcome.days[0]), last) if outcome.days else None,
            window_label=window.label,
        )
        caption = (
            f"No forecast: {result.no_forecast_reason}. The dashed line is the average daily usage of the "
            f"last {outcome.rate_days} days of data carried forward."
        )
        name = f"Daily usage spend and run rate for {window.label}"
    else:
        band = Band(
            outcome.days,
            outcome.points,
            outcome.band_low,
            outcome.band_high,
            window=(max(window.start, outcome.days[0]), last) if outcome.days else None,
            window_label=window.label,
        )
        caption = None
        name = f"Daily usage spend and forecast for {window.label}"
    return trend_chart(
        ctx.settings,
        # Named by the days actually drawn: recent history, then the forecast.
        window_title(name, [*days, *outcome.days]),
        [d.isoformat() for d in days],
        {"actual": [usage.get(d, 0.0) for d in days]},
        currency,
        stacked=False,
        forecast=band,
        caption=caption,
    )


def _status(result: CostForecastResult, status: ToolStatus, message: str) -> CostForecastResult:
    result.status = status
    result.message = message
    return result
