"""Cost Explorer answers are as honest as the billing-data ones: an amount under a cent is
"< $0.01" (never "$0.00"), and a period partly outside what Cost Explorer keeps says which part
the figures cover — one wholly outside it is answered without a (billed) request."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from botocore.stub import Stubber

from tests.tools.cost.test_cost_query_more import ce_ctx
from tools.base import ToolStatus
from tools.cost.ce_answer import ce_first_day
from tools.cost.cost_query import CostQuery

KMS = "AWS Key Management Service"


def _month(
    start: str, end: str, total: str | None = None, groups: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    return {
        "TimePeriod": {"Start": start, "End": end},
        "Total": {"UnblendedCost": {"Amount": total, "Unit": "USD"}} if total else {},
        "Groups": [
            {"Keys": [key], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}
            for key, amount in groups or []
        ],
        "Estimated": False,
    }


def test_sub_cent_groups_are_written_under_a_cent(tmp_path: Path) -> None:
    ctx = ce_ctx(tmp_path, "http://127.0.0.1:9")
    tool = CostQuery()
    with Stubber(ctx.aws.client("ce", "us-east-1")) as stub:
        stub.add_response(
            "get_cost_and_usage",
            {
                "ResultsByTime": [
                    _month(
                        "2024-09-01",
                        "2024-10-01",
                        groups=[("Amazon Simple Storage Service", "12.50"), (KMS, "0.004")],
                    )
                ]
            },
        )
        result = tool.run(ctx, tool.parse({"period": "last_month", "group_by": "service", "chart": False}))
    assert result.status == ToolStatus.OK, result.message
    assert f"{KMS} < $0.01" in result.message
    assert "$0.00" not in result.message
    [table] = result.tables
    assert [KMS, "< 0.01", "< 0.1%"] in table.rows
    # The data keeps the figures to the cent, as the billing-data answers' do.
    assert result.groups[1].cost == Decimal("0.00")


def test_a_period_partly_before_cost_explorers_history_says_what_it_covers(tmp_path: Path) -> None:
    ctx = ce_ctx(tmp_path, "http://127.0.0.1:9")  # now: 2024-10-15
    assert ce_first_day(ctx.clock.now().date()).isoformat() == "2023-09-01"
    tool = CostQuery()
    with Stubber(ctx.aws.client("ce", "us-east-1")) as stub:
        stub.add_response(
            "get_cost_and_usage",
            {"ResultsByTime": [_month("2023-09-01", "2023-10-01", total="40.00")]},
            {
                # Asked from Cost Explorer's first day, not from a day it has nothing for.
                "TimePeriod": {"Start": "2023-09-01", "End": "2023-10-01"},
                "Granularity": "MONTHLY",
                "Metrics": ["UnblendedCost"],
            },
        )
        result = tool.run(ctx, tool.parse({"period": "2023-08-15..2023-09-30", "chart": False}))
        stub.assert_no_pending_responses()
    assert result.status == ToolStatus.OK, result.message
    assert "The cost data covers only 2023-09-01 – 2023-09-30 of this period (2023-08-15 – 2023-09-30)" in (
        result.message
    )


def test_a_period_wholly_outside_its_history_is_answered_without_a_request(tmp_path: Path) -> None:
    ctx = ce_ctx(tmp_path, "http://127.0.0.1:9")
    tool = CostQuery()
    with Stubber(ctx.aws.client("ce", "us-east-1")):  # any request would fail the test
        old = tool.run(ctx, tool.parse({"period": "2022-03", "chart": False}))
    assert old.status == ToolStatus.NO_DATA
    assert old.ce_requests == 0
    expected = "There is no Cost Explorer data for this period: the data covers 2023-09-01 to 2024-10-15."
    assert old.message == expected
