"""Answers that are honest about the data: amounts under a cent, periods the data only partly
covers, and histories too short for a forecast or an anomaly baseline (the bundled sample holds
one month) are said as such, with what the data does support instead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tools.base import ToolContext, ToolStatus
from tools.cost.anomalies import MIN_HISTORY_DAYS
from tools.cost.cost_anomalies import CostAnomalies, CostAnomaliesResult
from tools.cost.cost_forecast import MIN_HISTORY_DAYS as FORECAST_DAYS
from tools.cost.cost_forecast import CostForecast, CostForecastResult
from tools.cost.cost_query_models import CostQueryResult
from tools.cost.datastore import CostStore
from tools.cost.money import amount, money, percent, under_a_cent

Query = Callable[..., CostQueryResult]


def forecast(ctx: ToolContext, **args: Any) -> CostForecastResult:
    tool = CostForecast()
    return tool.run(ctx, tool.parse({"chart": False, **args}))


def anomalies(ctx: ToolContext, **args: Any) -> CostAnomaliesResult:
    tool = CostAnomalies()
    return tool.run(ctx, tool.parse({"chart": False, **args}))


# -- amounts under a cent ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text", "cell"),
    [
        (Decimal("0.004"), "< $0.01", "< 0.01"),
        (0.0000003702, "< $0.01", "< 0.01"),
        (Decimal("-0.003"), "> -$0.01", "> -0.01"),
        (Decimal("0.005"), "$0.01", "0.01"),
        (Decimal(0), "$0.00", "0.00"),
        (1e-13, "$0.00", "0.00"),  # float noise is zero, not a charge
        (Decimal("1234.5"), "$1,234.50", "1,234.50"),
    ],
)
def test_amounts_under_a_cent(value: Decimal | float, text: str, cell: str) -> None:
    assert money(value, "USD") == text
    assert amount(value) == cell
    assert under_a_cent(value) == text.startswith(("<", ">"))
    assert money(Decimal("0.002"), "CHF") == "< 0.01 CHF"
    assert percent(0.0001) == "< 0.1%" and percent(0.0) == "0.0%"


def test_sub_cent_costs_read_as_under_a_cent(query: Query) -> None:
    sns = query(service="Amazon Simple Notification Service")
    assert sns.status == ToolStatus.OK and sns.total == Decimal("0.00")  # the data keeps the cents
    assert "cost < $0.01 in September 2024" in sns.message
    assert sns.tables[0].rows[0][1] == "< 0.01"
    by_day = query(service="Lambda", group_by="day")
    cells = [row[1] for row in by_day.tables[0].rows]
    assert "< 0.01" in cells and "0.00" not in cells[:2]
    by_service = query(group_by="service", top=40)
    rows = {row[0]: row[1] for row in by_service.tables[0].rows}
    assert rows["Amazon Simple Notification Service"] == "< 0.01"
    # "0.00" only where the charges really sum to nothing.
    assert all(abs(g.amount) < Decimal("1e-10") for g in by_service.groups if rows[g.key] == "0.00")
    series = query(service="Lambda", granularity="daily")
    assert "< 0.01" in [row[1] for row in series.tables[-1].rows]


# -- periods the data only partly covers --------------------------------------------------------


def test_partly_covered_period_says_which_part(query: Query) -> None:
    q3 = query(service="Lambda", start=date(2024, 7, 1), end=date(2024, 9, 30))
    assert q3.status == ToolStatus.OK
    assert (
        "The cost data covers only 2024-09-01 – 2024-09-30 of this period (2024-07-01 – 2024-09-30); "
        "it starts on 2024-09-01." in q3.message
    )
    late = query(start=date(2024, 9, 15), end=date(2024, 10, 10))
    assert "covers only 2024-09-15 – 2024-09-30 of this period" in late.message
    assert "it ends on 2024-09-30" in late.message
    whole = query(period="2024-09")
    assert "covers only" not in whole.message


def test_period_outside_the_data_names_the_range(query: Query) -> None:
    june = query(period="2024-06")
    assert june.status == ToolStatus.NO_DATA
    assert "No cost data in June 2024" in june.message and "2024-09-01 to 2024-09-30" in june.message


def test_comparison_with_a_period_without_data_is_not_a_change(query: Query) -> None:
    result = query(group_by="service", compare_to="previous_period")
    assert result.status == ToolStatus.OK and result.comparison is None
    assert "No comparison with August 2024. There is no cost data for August 2024" in result.message
    assert "up " not in result.message and "new" not in result.message
    assert all(g.previous_cost is None for g in result.groups)


# -- forecasts ------------------------------------------------------------------------------------


def test_short_history_gives_a_run_rate_not_a_forecast(cost_ctx: ToolContext) -> None:
    result = forecast(cost_ctx, target="next_month")
    assert result.status == ToolStatus.OK and result.basis == "run_rate"
    assert result.message.startswith("No forecast for November 2024: ")
    # The backtest that rules it out is named, not presented as the forecast's accuracy.
    assert result.backtest is not None and result.backtest.origins == 1
    assert "allowed only 1 try" in result.message and "Backtest on this data" not in result.message
    assert "80% interval" not in result.message and result.interval_level is None
    assert "run rate" in result.message and "a day over the last 14 days of data" in result.message
    assert result.run_rate_days == 14 and result.run_rate_daily is not None
    # 30 days of November at the rate; the range from the weekly averages, around it.
    assert abs(result.forecast - result.run_rate_daily * 30) <= Decimal("0.15")
    assert result.low <= result.total <= result.high
    assert result.tables[0].title == "Run rate for November 2024, not a forecast (USD)"
    assert "the cost data ends on 2024-09-30" in result.message


def test_too_few_days_for_even_a_run_rate(
    make_ctx: Callable[..., ToolContext], sample_store: CostStore
) -> None:
    ctx = make_ctx(now="2024-09-05")
    ctx.services.cost_store = sample_store
    result = forecast(ctx)
    assert result.status == ToolStatus.NO_DATA and "Not enough history" in result.message
    assert f"a forecast needs {FORECAST_DAYS}" in result.message


def test_long_history_still_forecasts(cost_ctx: ToolContext, demo_store: CostStore) -> None:
    cost_ctx.services.cost_store = demo_store
    result = forecast(cost_ctx, target="next_month", group_by="service", top=3)
    assert result.basis == "forecast" and result.no_forecast_reason is None
    assert result.message.startswith("Forecast for November 2024: ") and "80% interval" in result.message
    assert result.backtest is not None and result.backtest.origins >= 2
    assert result.high - result.low < result.forecast


# -- anomalies ----------------------------------------------------------------------------------


def test_no_anomalies_from_a_month_of_history(cost_ctx: ToolContext) -> None:
    result = anomalies(cost_ctx)
    assert result.status == ToolStatus.OK and result.anomalies == []
    assert result.message.startswith("Not enough history to look for cost anomalies in the last 30 days")
    assert f"judged only against the {MIN_HISTORY_DAYS} days before it" in result.message
    assert result.checked_start is None
    # What the data does show instead, labelled as plain figures.
    assert "not judged against a baseline" in result.message
    assert result.recent_changes and result.recent_changes[0].key == "Amazon Elastic Compute Cloud"
    assert result.tables[0].title.startswith("Last 7 days of data against the 7 before")
    assert "%" not in result.message


def test_partly_judged_period_says_which_days(cost_ctx: ToolContext, demo_store: CostStore) -> None:
    cost_ctx.services.cost_store = demo_store
    # The demo history starts on 2024-04-01: days from 2024-05-27 on have eight weeks behind them.
    result = anomalies(cost_ctx, period="2024-05-01..2024-06-15")
    assert result.status == ToolStatus.OK
    assert (result.checked_start, result.checked_end) == (date(2024, 5, 27), date(2024, 6, 15))
    assert (
        "2024-05-01 – 2024-05-26 could not be checked: the cost data starts on 2024-04-01" in result.message
    )
    assert all(a.start >= date(2024, 5, 27) for a in result.anomalies)
    # Under half of the period judged: the plain week-over-week figures come too.
    assert result.recent_changes and "not judged against a baseline" in result.message


def test_new_services_are_named_not_judged(
    cost_ctx: ToolContext, demo_store: CostStore, sample_store: CostStore
) -> None:
    from tools.cost.datastore import memory_store
    from tools.cost.defaults import BUNDLED_SAMPLE, _files_source, generated_source
    from tools.cost.generator.spec import DEMO_SPEC

    both = memory_store([generated_source(DEMO_SPEC), _files_source(BUNDLED_SAMPLE)])
    cost_ctx.services.cost_store = both
    result = anomalies(cost_ctx)
    both.close()
    assert result.checked_start == date(2024, 9, 15)
    # The sample's services start on 2024-09-01: too recent to judge, and said so.
    assert "Amazon Elastic Compute Cloud" not in result.too_new
    assert "Azure Kubernetes Service" in result.too_new
    assert "started too recently to judge" in result.message
    assert all(a.key not in result.too_new for a in result.anomalies)
