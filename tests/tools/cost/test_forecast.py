"""cost_forecast: month-end and N-day forecasts with intervals, per service, and its own backtest."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from tests.tools.cost.reference import cents
from tools.base import ToolContext, ToolStatus
from tools.cost.cost_forecast import CostForecast
from tools.cost.datastore import CostStore
from tools.cost.timeseries import backtest, fit, predict


@pytest.fixture
def forecast(cost_ctx: ToolContext, demo_store: CostStore):  # type: ignore[no-untyped-def]
    cost_ctx.services.cost_store = demo_store
    tool = CostForecast()
    return lambda **args: tool.run(cost_ctx, tool.parse({"chart": False, **args}))


def test_weekly_pattern_is_forecast_exactly() -> None:
    start = date(2024, 1, 1)  # a Monday
    days = [start + timedelta(days=i) for i in range(70)]
    values = [50.0 if d.weekday() >= 5 else 100.0 for d in days]
    model = fit(values, days)
    assert model is not None
    assert predict(model, date(2024, 3, 16)) == pytest.approx(50.0)  # a Saturday
    assert predict(model, date(2024, 3, 18)) == pytest.approx(100.0)
    test = backtest(values, days, 14)
    assert test.origins >= 4 and test.total_mape == pytest.approx(0.0, abs=1e-9)


def test_month_end_forecast(forecast, demo_store: CostStore) -> None:  # type: ignore[no-untyped-def]
    result = forecast()
    assert result.status == ToolStatus.OK, result.message
    assert (result.window_start, result.window_end) == (date(2024, 10, 1), date(2024, 10, 31))
    actual = Decimal(
        demo_store.fetch(
            "SELECT sum(BilledCost) FROM charges "
            "WHERE ChargePeriodStart >= '2024-10-01' AND ChargePeriodStart < '2024-10-15'"
        )[0][0]
    )
    assert result.actual == cents(actual)
    assert result.forecast_from == date(2024, 10, 15)
    assert result.low <= result.total <= result.high
    assert result.total == result.actual + result.forecast
    # Seventeen more days at roughly September's daily rate.
    assert Decimal("15000") < result.forecast < Decimal("30000")
    assert result.backtest is not None and result.backtest.origins >= 4
    assert result.backtest.total_mape is not None and result.backtest.total_mape < 0.1
    assert "Backtest on this data" in result.message and "80% interval" in result.message


def test_per_service_and_n_days(forecast) -> None:  # type: ignore[no-untyped-def]
    per_service = forecast(group_by="service", top=3)
    keys = [g.key for g in per_service.groups]
    assert keys[0] == "Amazon Elastic Compute Cloud" and keys[-1] == "Other" and len(keys) == 4
    assert all(g.low <= g.total <= g.high for g in per_service.groups)
    assert per_service.tables[0].rows[-1][0] == "Total"
    days = forecast(target="days", days=10)
    assert (days.window_start, days.window_end) == (date(2024, 10, 15), date(2024, 10, 24))
    assert days.actual == Decimal("0.00") and days.backtest is not None and days.backtest.horizon_days == 10
    nxt = forecast(target="next_month", service="EC2")
    assert nxt.window_start == date(2024, 11, 1) and nxt.actual == Decimal("0.00")


def test_stale_and_short_history(cost_ctx: ToolContext) -> None:
    tool = CostForecast()
    # The bundled sample: one month, ending two weeks before the pinned "now".
    result = tool.run(cost_ctx, tool.parse({"chart": False}))
    assert result.status == ToolStatus.OK
    assert "the cost data ends on 2024-09-30" in result.message
    # One month: a run rate, not a forecast (the honesty tests say more).
    assert result.basis == "run_rate" and result.message.startswith("No forecast for October 2024")


def test_bad_arguments() -> None:
    with pytest.raises(ValidationError):
        CostForecast().parse({"target": "year_end"})
    with pytest.raises(ValidationError):
        CostForecast().parse({"days": 0})
