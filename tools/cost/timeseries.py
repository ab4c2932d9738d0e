"""Daily spend series: weekly seasonality, robust level and scale, and a small forecaster.

Estimates here are floats (they are models, not figures from the bill); money read from the
bill stays Decimal until it reaches these functions.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Normal quantile for a two-sided 80% interval.
_Z80 = 1.2816


def dense(values: dict[date, float], start: date, end: date) -> list[float]:
    """Values for every day in [start, end); days without charges are 0."""
    return [values.get(start + timedelta(days=i), 0.0) for i in range((end - start).days)]


def weekday_factors(values: Sequence[float], days: Sequence[date]) -> list[float]:
    """Multiplicative factor per weekday (Monday=0), mean 1; all 1 without 3 weeks of data."""
    if len(values) < 21:
        return [1.0] * 7
    overall = statistics.median(values)
    if overall <= 0:
        return [1.0] * 7
    factors = []
    for wd in range(7):
        same = [v for v, d in zip(values, days, strict=True) if d.weekday() == wd]
        factors.append(statistics.median(same) / overall if same else 1.0)
    mean = sum(factors) / 7
    if mean <= 0:
        return [1.0] * 7
    # A weekday that costs nothing would make every ratio infinite; keep factors sane.
    return [min(max(f / mean, 0.05), 20.0) for f in factors]


def mad_scale(residuals: Sequence[float]) -> float:
    """A robust standard deviation: 1.4826 x the median absolute deviation."""
    if not residuals:
        return 0.0
    centre = statistics.median(residuals)
    return 1.4826 * statistics.median(abs(r - centre) for r in residuals)


@dataclass(frozen=True)
class Baseline:
    expected: float
    scale: float
    level: float


def baseline(
    history: Sequence[float], days: Sequence[date], target: date, window: int = 28
) -> Baseline | None:
    """What `target` would cost if it behaved like its history (the days before it)."""
    if len(history) < 21:
        return None
    factors = weekday_factors(history[-56:], days[-56:])
    recent = list(zip(history[-window:], days[-window:], strict=True))
    deseason = [v / factors[d.weekday()] for v, d in recent]
    level = statistics.median(deseason)
    residuals = [v - level * factors[d.weekday()] for v, d in recent]
    expected = level * factors[target.weekday()]
    return Baseline(expected=expected, scale=mad_scale(residuals), level=level)


@dataclass(frozen=True)
class Fit:
    level: float
    slope: float
    factors: list[float]
    # Relative day-to-day noise around the fit.
    noise: float
    # The day the level refers to (the middle of the level window).
    anchor: date


def fit(values: Sequence[float], days: Sequence[date]) -> Fit | None:
    """Level, damped trend and weekday pattern from the recent history (14+ days)."""
    if len(values) < 14:
        return None
    factors = weekday_factors(values[-56:], days[-56:])
    deseason = [v / factors[d.weekday()] for v, d in zip(values, days, strict=True)]
    level = statistics.median(deseason[-14:])
    weekly = [sum(deseason[i : i + 7]) / 7 for i in range(max(0, len(deseason) - 56), len(deseason) - 6, 7)]
    slope = 0.0
    if len(weekly) >= 3:
        pairs = [
            (weekly[j] - weekly[i]) / ((j - i) * 7)
            for i in range(len(weekly))
            for j in range(i + 1, len(weekly))
        ]
        # Theil-Sen, halved: trends in spend flatten more often than they compound.
        slope = statistics.median(pairs) * 0.5
    fitted = [level * factors[d.weekday()] for d in days[-28:]]
    actual = values[-28:]
    rel = [(a - f) / f for a, f in zip(actual, fitted, strict=True) if f > 0]
    noise = mad_scale(rel) if rel else 0.0
    anchor = days[-1] - timedelta(days=7)
    return Fit(level=level, slope=slope, factors=factors, noise=noise, anchor=anchor)


def predict(model: Fit, day: date) -> float:
    steps = (day - model.anchor).days
    # The trend may not move the level by more than a third over the horizon.
    drift = max(min(model.slope * steps, model.level / 3), -model.level / 3)
    return max(0.0, (model.level + drift) * model.factors[day.weekday()])


@dataclass(frozen=True)
class Backtest:
    origins: int
    horizon_days: int
    # Mean absolute percentage error of the horizon totals and of single days.
    total_mape: float | None
    daily_mape: float | None
    # Relative errors (actual/predicted - 1) of the horizon totals.
    errors: list[float]


def backtest(values: Sequence[float], days: Sequence[date], horizon: int, max_origins: int = 8) -> Backtest:
    """Forecast the last few weeks from the data before them, and compare with what happened."""
    horizon = max(1, min(horizon, len(values) - 14))
    # Three weeks of training show the weekly pattern; settle for two when that is all there is.
    min_train = 21 if len(values) - horizon >= 21 else 14
    errors: list[float] = []
    daily: list[float] = []
    origin = len(values) - horizon
    while origin >= min_train and len(errors) < max_origins:
        model = fit(values[:origin], days[:origin])
        if model is not None:
            preds = [predict(model, days[origin + h]) for h in range(horizon)]
            actual = values[origin : origin + horizon]
            total_pred = sum(preds)
            if total_pred > 0:
                errors.append(sum(actual) / total_pred - 1)
            daily += [abs(a - p) / a for a, p in zip(actual, preds, strict=True) if a > 0]
        origin -= 7
    return Backtest(
        origins=len(errors),
        horizon_days=horizon,
        total_mape=sum(abs(e) for e in errors) / len(errors) if errors else None,
        daily_mape=sum(daily) / len(daily) if daily else None,
        errors=errors,
    )


def interval(point: float, days_ahead: int, model: Fit, test: Backtest) -> tuple[float, float]:
    """An 80% interval for a forecast total over `days_ahead` days."""
    if days_ahead <= 0 or point <= 0:
        return point, point
    # Day-to-day noise partly cancels over the horizon.
    spread = _Z80 * model.noise / max(days_ahead, 1) ** 0.5
    if len(test.errors) >= 4:
        ordered = sorted(test.errors)
        low_q = ordered[max(0, int(0.1 * len(ordered)))]
        high_q = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        return point * (1 + min(low_q, -spread, -0.02)), point * (1 + max(high_q, spread, 0.02))
    # Too few trials for quantiles: at least as wide as the worst trial, and never under 5%.
    spread = max([spread, 0.05, *(abs(e) for e in test.errors)])
    return point * max(0.0, 1 - spread), point * (1 + spread)
