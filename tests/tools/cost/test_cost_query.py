"""Every figure is checked against tests/tools/cost/reference.py (csv + Decimal over the shared sample)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from tests.tools.cost.reference import (
    Row,
    account_sums,
    cents,
    in_days,
    region_key,
    sums_by,
    tag_value,
    total,
)
from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.cost.cost_query import CostQuery
from tools.cost.cost_query_models import CostQueryResult

Query = Callable[..., CostQueryResult]
SEPT = (date(2024, 9, 1), date(2024, 9, 30))
EC2 = "Amazon Elastic Compute Cloud"


def september(rows: list[Row]) -> list[Row]:
    return in_days(rows, *SEPT)


def assert_groups_match(result: CostQueryResult, expected: dict[str, Decimal]) -> None:
    assert result.status == ToolStatus.OK, result.message
    assert result.other_groups == 0
    got = {g.key: g.cost for g in result.groups}
    assert got == {k: cents(v) for k, v in expected.items()}
    grand = sum(expected.values(), Decimal(0))
    assert result.total == cents(grand)
    for g in result.groups:
        assert g.share == pytest.approx(float(expected[g.key] / grand), abs=1e-4)


def test_september_total(query: Query, reference_rows: list[Row]) -> None:
    expected = september(reference_rows)
    result = query(period="2024-09")
    assert result.status == ToolStatus.OK
    assert result.total == cents(total(expected))
    assert result.row_count == len(expected) == 1000
    assert result.currency == "USD"
    assert (result.period_start, result.period_end) == SEPT
    assert result.total.as_tuple().exponent == -2


def test_charges_count_by_charge_time_not_billing_period(query: Query, reference_rows: list[Row]) -> None:
    # One Oracle row is billed in the October period but was used on 30 September.
    late = [r for r in reference_rows if (r.get("BillingPeriodStart") or "").startswith("2024-10")]
    assert late and all(r.start.date() == date(2024, 9, 30) for r in late)
    day = query(period="2024-09-30")
    assert day.total == cents(total(in_days(reference_rows, date(2024, 9, 30), date(2024, 9, 30))))
    assert query(period="2024-10").status == ToolStatus.NO_DATA


def test_ec2_last_month(query: Query, reference_rows: list[Row]) -> None:
    expected = [r for r in september(reference_rows) if r.get("ServiceName") == EC2]
    result = query(period="last_month", service="EC2")
    assert result.status == ToolStatus.OK
    assert result.total == cents(total(expected)) == Decimal("16.04")
    assert result.row_count == len(expected)
    assert result.filters.service_names == [EC2]
    assert result.message == f"{EC2} cost $16.04 in September 2024 (2024-09-01 – 2024-09-30)."


@pytest.mark.parametrize("name", ["EC2", "ec2", " Ec2 ", "Amazon Elastic Compute Cloud", "amazon ec2"])
def test_service_aliases_agree(query: Query, name: str) -> None:
    result = query(service=name)
    assert result.total == Decimal("16.04")
    assert result.filters.service_names == [EC2]


@pytest.mark.parametrize(
    ("service", "names"),
    [
        ("S3", {"Amazon Simple Storage Service"}),
        ("ELB", {"Elastic Load Balancing"}),
        ("CloudWatch", {"AmazonCloudWatch"}),
        ("AKS", {"Azure Kubernetes Service"}),
        ("Storage Accounts", {"Storage Accounts"}),
        ("oracle compute", {"COMPUTE"}),
    ],
)
def test_service_totals(query: Query, reference_rows: list[Row], service: str, names: set[str]) -> None:
    expected = [r for r in september(reference_rows) if r.get("ServiceName") in names]
    result = query(service=service)
    assert result.total == cents(total(expected))
    assert result.row_count == len(expected)


def test_group_by_service(query: Query, reference_rows: list[Row]) -> None:
    expected = sums_by(september(reference_rows), lambda r: r.get("ServiceName") or "")
    result = query(group_by="service", top=500)
    assert_groups_match(result, expected)
    costs = [g.cost for g in result.groups]
    assert costs == sorted(costs, reverse=True)
    table = result.tables[0]
    assert table.columns == ["Service", "Cost (USD)", "Share"]
    assert table.rows[0] == [EC2, "16.04", "78.2%"]
    assert table.rows[-1] == ["Total", "20.52", "100.0%"]


def test_group_by_region(query: Query, reference_rows: list[Row]) -> None:
    assert_groups_match(query(group_by="region", top=500), sums_by(september(reference_rows), region_key))


def test_group_by_account(query: Query, reference_rows: list[Row]) -> None:
    result = query(group_by="account", top=500)
    assert_groups_match(result, account_sums(september(reference_rows)))
    # "Atlas Orion" is an AWS account, an Azure subscription and an OCI tenancy: kept apart.
    assert "Atlas Orion (11353890204)" in {g.key for g in result.groups}


def test_group_by_tag(query: Query, reference_rows: list[Row]) -> None:
    expected = sums_by(september(reference_rows), lambda r: tag_value(r, "environment") or "(untagged)")
    assert_groups_match(query(group_by="tag:environment"), expected)


def test_group_by_day_and_month(query: Query, reference_rows: list[Row]) -> None:
    rows = september(reference_rows)
    days = query(group_by="day")
    assert_groups_match(days, sums_by(rows, lambda r: r.start.date().isoformat()))
    assert [g.key for g in days.groups] == sorted(g.key for g in days.groups)
    assert_groups_match(query(group_by="month"), {"2024-09": total(rows)})


def test_group_by_charge_category(query: Query, reference_rows: list[Row]) -> None:
    expected = sums_by(september(reference_rows), lambda r: r.get("ChargeCategory") or "")
    assert_groups_match(query(group_by="charge_category"), expected)


def test_top_keeps_largest_and_sums_the_rest(query: Query, reference_rows: list[Row]) -> None:
    expected = sums_by(september(reference_rows), lambda r: r.get("ServiceName") or "")
    ranked = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))
    result = query(group_by="service", top=3)
    assert [(g.key, g.cost) for g in result.groups] == [(k, cents(v)) for k, v in ranked[:3]]
    assert result.other_groups == len(ranked) - 3
    assert result.other_cost == cents(sum((v for _, v in ranked[3:]), Decimal(0)))
    assert result.tables[0].rows[3][0] == f"Other ({len(ranked) - 3} more)"
    assert "By service: Amazon Elastic Compute Cloud $16.04 (78.2%)" in result.message


def test_default_limit_on_long_breakdowns(query: Query, reference_rows: list[Row]) -> None:
    expected = sums_by(september(reference_rows), lambda r: r.get("ResourceId") or "(no resource id)")
    ranked = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))
    result = query(group_by="resource")
    assert [(g.key, g.cost) for g in result.groups] == [(k, cents(v)) for k, v in ranked[:25]]
    assert result.other_groups == len(ranked) - 25
    assert result.other_cost == cents(sum((v for _, v in ranked[25:]), Decimal(0)))


@pytest.mark.parametrize("region", ["us-east-1", "US-EAST-1", "US East (N. Virginia)"])
def test_region_filter_matches_id_or_name(query: Query, reference_rows: list[Row], region: str) -> None:
    wanted = region.lower()
    expected = [
        r
        for r in september(reference_rows)
        if wanted in ((r.get("RegionId") or "").lower(), (r.get("RegionName") or "").lower())
    ]
    result = query(region=region)
    assert result.total == cents(total(expected))
    assert result.row_count == len(expected)


@pytest.mark.parametrize("account", ["Atlas Orion", "11353890204", "SunBird", "1234567890123"])
def test_account_filter_matches_ids_and_names(query: Query, reference_rows: list[Row], account: str) -> None:
    fields = ("SubAccountId", "SubAccountName", "BillingAccountId", "BillingAccountName")
    expected = [
        r for r in september(reference_rows) if account.lower() in {(r.get(f) or "").lower() for f in fields}
    ]
    result = query(account=account)
    assert result.total == cents(total(expected))
    assert result.row_count == len(expected)


def test_tag_filter(query: Query, reference_rows: list[Row]) -> None:
    expected = [r for r in september(reference_rows) if (tag_value(r, "environment") or "").lower() == "prod"]
    result = query(tags={"Environment": "PROD"})
    assert result.total == cents(total(expected))
    assert result.row_count == len(expected)
    assert "tag Environment=PROD" in result.message


def test_combined_filters_and_grouping(query: Query, reference_rows: list[Row]) -> None:
    rows = [
        r
        for r in september(reference_rows)
        if r.get("ServiceName") == EC2 and tag_value(r, "environment") == "dev"
    ]
    result = query(service="ec2", tags={"environment": "dev"}, group_by="region")
    assert_groups_match(result, sums_by(rows, region_key))


def test_range_with_inclusive_end(query: Query, reference_rows: list[Row]) -> None:
    expected = in_days(reference_rows, date(2024, 9, 10), date(2024, 9, 20))
    result = query(period="2024-09-10..2024-09-20")
    assert result.total == cents(total(expected))
    assert (result.period_start, result.period_end) == (date(2024, 9, 10), date(2024, 9, 20))


def test_period_presets_follow_the_pinned_clock(query: Query) -> None:
    assert (query(period="last_month").period_start, query(period="last_month").period_end) == SEPT
    week = query(period="last_7_days")
    assert (week.period_start, week.period_end) == (date(2024, 10, 8), date(2024, 10, 14))
    assert query(period="last_30_days").total == query(period="2024-09-15..2024-09-30").total


def test_empty_range_says_what_data_exists(query: Query) -> None:
    result = query(period="this_month")
    assert result.status == ToolStatus.NO_DATA
    assert "2024-09-01 to 2024-09-30" in result.message
    assert result.total == Decimal("0.00")


def test_filters_matching_nothing(query: Query) -> None:
    result = query(service="EC2", tags={"environment": "nowhere"})
    assert result.status == ToolStatus.NO_DATA
    assert "No charges match service EC2, tag environment=nowhere" in result.message
    missing_key = query(tags={"no-such-key": "x"})
    assert "tag keys in the data" in missing_key.message and "environment" in missing_key.message


def test_unknown_service_lists_known_services(query: Query) -> None:
    result = query(service="Quantum Ledger")
    assert result.status == ToolStatus.NO_DATA
    assert "No service matches 'Quantum Ledger'" in result.message
    assert "Amazon Elastic Compute Cloud" in result.message and "Storage Accounts" in result.message
    absent = query(service="Redshift")
    assert absent.status == ToolStatus.NO_DATA and "No Redshift charges" in absent.message


def test_unknown_region_and_account(query: Query) -> None:
    region = query(region="mars-north-1")
    assert region.status == ToolStatus.NO_DATA and "us-east-1" in region.message
    account = query(account="nobody")
    assert account.status == ToolStatus.NO_DATA and "Atlas Orion" in account.message


def test_bad_period_is_a_user_facing_error(query: Query) -> None:
    with pytest.raises(UserFacingError, match="YYYY-MM-DD..YYYY-MM-DD"):
        query(period="the other week")


@pytest.mark.parametrize(
    "args",
    [
        {"period": "last_month", "currency": "EUR"},
        {"group_by": "colour"},
        {"group_by": "tag:"},
        {"top": 0},
        {"tags": ["environment"]},
    ],
)
def test_bad_arguments_are_refused(args: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CostQuery().parse(args)


def test_input_defaults_and_group_normalisation() -> None:
    tool = CostQuery()
    args = tool.parse({})
    assert (args.period, args.service, args.tags, args.group_by, args.top) == (
        "last_month",
        None,
        {},
        None,
        None,
    )
    assert tool.parse({"group_by": "Charge Category"}).group_by == "charge_category"
    assert tool.parse({"group_by": "TAG:environment"}).group_by == "tag:environment"


def test_tool_metadata() -> None:
    assert CostQuery.name == "cost_query"
    assert CostQuery.mutating is False
    assert CostQuery.permissions == ("ce:GetCostAndUsage", "ce:GetCostAndUsageWithResources")
    assert CostQuery.description


def test_result_data_is_json_ready(query: Query) -> None:
    data = query(group_by="service", top=2).data()
    assert data["total"] == "20.52"
    assert data["groups"][0] == {"key": EC2, "cost": "16.04", "share": 0.7818, "row_count": 554}
    assert data["filters"]["service_names"] == []


def test_store_is_cached_per_context(cost_ctx: ToolContext, make_ctx: Callable[..., ToolContext]) -> None:
    from tools.cost import cost_store

    first = cost_store(cost_ctx)
    assert cost_store(cost_ctx) is first
    assert cost_store(make_ctx()) is not first
