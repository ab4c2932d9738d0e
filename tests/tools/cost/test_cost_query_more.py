"""cost_query's additions: cost types, explicit dates, filters, granularity, period comparison,
charts, and the Cost Explorer backend (moto's injected results). Figures against the reference."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pytest
from botocore.stub import Stubber
from pydantic import ValidationError

from config import Settings
from store import Store
from tests.tools.cost.reference import Row, cents, in_days, sums_by, tag_value, total
from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.cost.cost_query import CostQuery
from tools.cost.cost_query_models import CostQueryResult
from tools.cost.periods import comparison_period, resolve_period
from tools.inventory.aws import AwsClients

Query = Callable[..., CostQueryResult]
EC2 = "Amazon Elastic Compute Cloud"


def sept(rows: list[Row]) -> list[Row]:
    return in_days(rows, date(2024, 9, 1), date(2024, 9, 30))


def column_total(rows: list[Row], column: str) -> Decimal:
    return sum((Decimal(r.get(column) or "0") for r in rows), Decimal(0))


@pytest.mark.parametrize(("cost_type", "column"), [("effective", "EffectiveCost"), ("list", "ListCost")])
def test_cost_types(query: Query, reference_rows: list[Row], cost_type: str, column: str) -> None:
    rows = [r for r in sept(reference_rows) if r.get("ServiceName") == EC2]
    result = query(service="EC2", cost_type=cost_type)
    assert result.total == cents(column_total(rows, column))
    assert result.billed_total == Decimal("16.04")
    words = {"effective": "effective cost", "list": "cost at list price"}[cost_type]
    assert f"{EC2} {words} " in result.message
    grouped = query(group_by="service", cost_type=cost_type, top=500)
    assert {g.key: g.cost for g in grouped.groups}[EC2] == cents(column_total(rows, column))


def test_explicit_dates_and_extra_filters(query: Query, reference_rows: list[Row]) -> None:
    rows = in_days(reference_rows, date(2024, 9, 5), date(2024, 9, 12))
    assert query(start="2024-09-05", end="2024-09-12").total == cents(total(rows))
    credits = [r for r in sept(reference_rows) if r.get("ChargeCategory") == "Credit"]
    assert query(charge_category="credit").total == cents(total(credits))
    resource = next(r.get("ResourceId") for r in sept(reference_rows) if r.get("ResourceId"))
    mine = [r for r in sept(reference_rows) if r.get("ResourceId") == resource]
    assert query(resource=resource).total == cents(total(mine))
    with pytest.raises(ValidationError, match="both start and end"):
        CostQuery().parse({"start": "2024-09-01"})


def test_daily_and_monthly_granularity(query: Query, reference_rows: list[Row]) -> None:
    daily = query(granularity="daily")
    expected = sums_by(sept(reference_rows), lambda r: r.start.date().isoformat())
    assert {p.bucket: p.cost for p in daily.series} == {k: cents(v) for k, v in expected.items()}
    assert daily.tables[-1].columns == ["Day", "Cost (USD)"]
    monthly = query(granularity="monthly", period="2024-09-01..2024-10-31")
    assert [(p.bucket, p.cost) for p in monthly.series] == [
        ("2024-09", cents(total(sept(reference_rows)))),
        ("2024-10", Decimal("0.00")),
    ][: len(monthly.series)]


def test_comparison_periods() -> None:
    at = datetime(2024, 10, 15)
    mtd = resolve_period("this_month", at)
    before = comparison_period(mtd, "previous_period", at)
    assert (before.start, before.last_day) == (date(2024, 9, 1), date(2024, 9, 15))
    month = comparison_period(resolve_period("last_month", at), "previous_period", at)
    assert (month.start, month.last_day) == (date(2024, 8, 1), date(2024, 8, 31))
    week = comparison_period(resolve_period("last_7_days", at), "previous_period", at)
    assert (week.start, week.last_day) == (date(2024, 10, 1), date(2024, 10, 7))
    year = comparison_period(resolve_period("2024-02", at), "previous_year", at)
    assert (year.start, year.last_day) == (date(2023, 2, 1), date(2023, 2, 28))
    explicit = comparison_period(mtd, "2024-08", at)
    assert explicit.start == date(2024, 8, 1)


def test_compare_by_service(query: Query, reference_rows: list[Row]) -> None:
    first = in_days(reference_rows, date(2024, 9, 16), date(2024, 9, 30))
    second = in_days(reference_rows, date(2024, 9, 1), date(2024, 9, 15))
    result = query(period="2024-09-16..2024-09-30", compare_to="previous_period", group_by="service", top=500)
    assert result.comparison is not None
    assert (result.comparison.period_start, result.comparison.period_end) == (
        date(2024, 9, 1),
        date(2024, 9, 15),
    )
    assert result.comparison.total == cents(total(second))
    assert result.comparison.change == cents(total(first) - total(second))
    before = sums_by(second, lambda r: r.get("ServiceName") or "")
    for g in result.groups:
        assert g.previous_cost == cents(before.get(g.key, Decimal(0)))
    assert result.tables[0].columns[-3:] == ["Before", "Change", "Change %"]
    assert "Biggest changes:" in result.message
    data = result.data()
    assert "previous_cost" in data["groups"][0]


def test_tag_breakdown_is_exact(query: Query, reference_rows: list[Row]) -> None:
    expected = sums_by(sept(reference_rows), lambda r: tag_value(r, "business_unit") or "(untagged)")
    result = query(group_by="tag:business_unit", top=500)
    assert {g.key: g.cost for g in result.groups} == {k: cents(v) for k, v in expected.items()}


def test_charts_are_png_files_under_the_data_dir(cost_ctx: ToolContext) -> None:
    tool = CostQuery()
    result = tool.run(cost_ctx, tool.parse({"group_by": "service", "granularity": "daily"}))
    assert len(result.charts) == 2
    for chart in result.charts:
        assert chart.path.parent == Path(cost_ctx.settings.data_dir) / "charts"
        assert chart.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert chart.alt_text
    single = tool.run(cost_ctx, tool.parse({"service": "EC2"}))
    assert single.charts == []


class CeSettings(Settings):
    """The field the lead adds to Settings; declared here so the test can choose the backend."""

    cost_backend: Literal["local", "cost_explorer"] = "cost_explorer"


def inject(endpoint: str, results: list[dict[str, Any]]) -> None:
    request = urllib.request.Request(
        f"{endpoint}/moto-api/static/ce/cost-and-usage-results",
        data=json.dumps({"results": results}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request)


def ce_ctx(tmp_path: Path, endpoint: str) -> ToolContext:
    settings = CeSettings(
        data_dir=tmp_path / "data", now="2024-10-15", aws={"mode": "sandbox", "endpoint_url": endpoint}
    )
    store = Store(settings.sqlalchemy_url)
    return ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)


def test_cost_explorer_backend(tmp_path: Path, fresh_moto: str) -> None:
    month = {"TimePeriod": {"Start": "2024-09-01", "End": "2024-10-01"}, "Estimated": False}
    inject(
        fresh_moto,
        [
            {
                "ResultsByTime": [
                    {
                        **month,
                        "Total": {"UnblendedCost": {"Amount": "1234.5678", "Unit": "USD"}},
                        "Groups": [],
                    }
                ]
            },
            {
                "ResultsByTime": [
                    {
                        **month,
                        "Total": {},
                        "Groups": [
                            {
                                "Keys": ["Amazon Elastic Compute Cloud - Compute"],
                                "Metrics": {"UnblendedCost": {"Amount": "1000.005", "Unit": "USD"}},
                            },
                            {
                                "Keys": ["Amazon Simple Storage Service"],
                                "Metrics": {"UnblendedCost": {"Amount": "234.5628", "Unit": "USD"}},
                            },
                        ],
                    }
                ]
            },
        ],
    )
    ctx = ce_ctx(tmp_path, fresh_moto)
    tool = CostQuery()
    total_result = tool.run(ctx, tool.parse({"service": "EC2", "chart": False}))
    assert total_result.status == ToolStatus.OK, total_result.message
    assert (total_result.backend, total_result.total, total_result.ce_requests) == (
        "cost_explorer",
        Decimal("1234.57"),
        1,
    )
    assert "Amazon Elastic Compute Cloud - Compute" in total_result.filters.service_names
    grouped = tool.run(ctx, tool.parse({"group_by": "service", "chart": False}))
    assert [(g.key, g.cost) for g in grouped.groups] == [
        ("Amazon Elastic Compute Cloud - Compute", Decimal("1000.01")),
        ("Amazon Simple Storage Service", Decimal("234.56")),
    ]
    assert grouped.total == Decimal("1234.57")
    unsupported = tool.run(ctx, tool.parse({"cost_type": "list", "chart": False}))
    assert unsupported.status == ToolStatus.ERROR and "list-price" in unsupported.message
    empty = tool.run(ctx, tool.parse({"period": "2024-08", "chart": False}))
    assert empty.status == ToolStatus.NO_DATA


def _day(start: str, end: str, groups: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "TimePeriod": {"Start": start, "End": end},
        "Total": {},
        "Groups": [
            {"Keys": [key], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}
            for key, amount in groups
        ],
        "Estimated": False,
    }


def test_cost_explorer_by_resource_uses_resource_level_data(tmp_path: Path) -> None:
    # moto has no GetCostAndUsageWithResources; botocore's Stubber checks our requests and the
    # answers we parse against the real Cost Explorer API model instead.
    ctx = ce_ctx(tmp_path, "http://127.0.0.1:9")
    client = ctx.aws.client("ce", "us-east-1")
    tool = CostQuery()
    with Stubber(client) as stub:
        stub.add_response(
            "get_cost_and_usage_with_resources",
            {
                "ResultsByTime": [
                    _day("2024-10-08", "2024-10-09", [("i-0aaa", "10.005"), ("i-0bbb", "2.50")]),
                    _day("2024-10-09", "2024-10-10", [("i-0aaa", "10.005"), ("NoResourceId", "0.4")]),
                ]
            },
            {
                "TimePeriod": {"Start": "2024-10-08", "End": "2024-10-10"},
                "Granularity": "DAILY",
                "Metrics": ["UnblendedCost"],
                "Filter": {
                    "Dimensions": {"Key": "SERVICE", "Values": ["Amazon Elastic Compute Cloud - Compute"]}
                },
                "GroupBy": [{"Type": "DIMENSION", "Key": "RESOURCE_ID"}],
            },
        )
        by_resource = tool.run(
            ctx,
            tool.parse({"start": "2024-10-08", "end": "2024-10-09", "group_by": "resource", "chart": False}),
        )
        stub.add_response(
            "get_cost_and_usage_with_resources",
            {"ResultsByTime": [_day("2024-10-08", "2024-10-09", [("i-0aaa", "10.005")])]},
            {
                "TimePeriod": {"Start": "2024-10-08", "End": "2024-10-15"},
                "Granularity": "DAILY",
                "Metrics": ["UnblendedCost"],
                "Filter": {"Dimensions": {"Key": "RESOURCE_ID", "Values": ["i-0aaa"]}},
            },
        )
        one = tool.run(ctx, tool.parse({"start": "2024-10-08", "end": "2024-10-14", "resource": "i-0aaa"}))
        stub.assert_no_pending_responses()
    assert by_resource.status == ToolStatus.OK, by_resource.message
    assert [(g.key, g.cost) for g in by_resource.groups] == [
        ("i-0aaa", Decimal("20.01")),
        ("i-0bbb", Decimal("2.50")),
        ("NoResourceId", Decimal("0.40")),
    ]
    assert by_resource.message.startswith("EC2 compute cost $22.91")
    assert (one.total, one.ce_requests) == (Decimal("10.01"), 1)
    assert one.message.startswith("i-0aaa cost $10.01")


def test_cost_explorer_by_resource_outside_its_14_days(tmp_path: Path) -> None:
    ctx = ce_ctx(tmp_path, "http://127.0.0.1:9")
    tool = CostQuery()
    with Stubber(ctx.aws.client("ce", "us-east-1")) as stub:
        old = tool.run(ctx, tool.parse({"period": "2024-09", "group_by": "resource", "chart": False}))
        stub.add_client_error(
            "get_cost_and_usage_with_resources",
            service_error_code="DataUnavailableException",
            service_message="Resource-level data is not enabled",
        )
        with pytest.raises(UserFacingError, match="resource-level data turned on"):
            tool.run(ctx, tool.parse({"period": "last_7_days", "group_by": "resource", "chart": False}))
    assert old.status == ToolStatus.ERROR
    assert "last 14 days only (from 2024-10-01)" in old.message and old.ce_requests == 0
