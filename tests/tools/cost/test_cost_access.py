"""Costs under the access policy: a context limited to some accounts sees only their charges."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.tools.cost.reference import Row, cents, in_days, total
from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.cost.cost_anomalies import CostAnomalies
from tools.cost.cost_query import CostQuery

DATA = "11353890204"
OTHER = "18938484842"


def usage_account(row: Row) -> str | None:
    return row.get("SubAccountId") or row.get("BillingAccountId")


def test_costs_cover_only_the_allowed_accounts(cost_ctx: ToolContext, reference_rows: list[Row]) -> None:
    ctx = replace(cost_ctx, allowed_accounts=frozenset({DATA}))
    tool = CostQuery()
    result = tool.run(ctx, tool.parse({"period": "last_month", "chart": False}))
    september = in_days(reference_rows, date(2024, 9, 1), date(2024, 9, 30))
    expected = [r for r in september if usage_account(r) == DATA]
    assert result.status == ToolStatus.OK, result.message
    assert result.total == cents(total(expected)) and result.row_count == len(expected)

    grouped = tool.run(ctx, tool.parse({"period": "last_month", "group_by": "account", "chart": False}))
    assert [g.cost for g in grouped.groups] == [result.total]

    # Asking for the allowed account by id works; any other account is refused, known or not.
    assert tool.run(ctx, tool.parse({"period": "last_month", "account": DATA})).total == result.total
    for account in (OTHER, "nobody"):
        with pytest.raises(UserFacingError, match=f"Account {account} is not allowed here"):
            tool.run(ctx, tool.parse({"period": "last_month", "account": account}))


def test_no_allowed_account_means_no_costs(cost_ctx: ToolContext) -> None:
    ctx = replace(cost_ctx, allowed_accounts=frozenset())
    tool = CostQuery()
    assert tool.run(ctx, tool.parse({"period": "last_month"})).status == ToolStatus.NO_DATA
    anomalies = CostAnomalies()
    with pytest.raises(UserFacingError, match="access policy"):
        anomalies.run(ctx, anomalies.parse({"period": "last_month", "account": DATA}))
