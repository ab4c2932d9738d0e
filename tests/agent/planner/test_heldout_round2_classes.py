"""The classes of miss that held-out round 2 (agent/evaluation/heldout/round2.yaml) found, each
checked with phrasings that are in neither evaluation file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from agent.guard import tool_specs
from agent.planner.approval_requests import approval_query
from agent.planner.base import PastTurn
from agent.planner.offline import OfflinePlanner
from agent.planner.periods import find_period
from tools.registry import TOOLS

NOW = datetime(2024, 10, 15, 12, tzinfo=UTC)  # a Tuesday
SPECS = tool_specs(TOOLS)


def plan(text: str, history: list[str] | None = None) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    planner = OfflinePlanner()
    turns: list[PastTurn] = []
    for earlier in history or []:
        decision = planner.plan(earlier, turns, SPECS, NOW)
        turns.append(PastTurn(text=earlier, calls=decision.calls, answer=decision.answer or ""))
    decision = planner.plan(text, turns, SPECS, NOW)
    return [(c.name, c.args) for c in decision.calls], decision.answer or ""


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("last 14d", "2024-10-02..2024-10-15"),
        ("past 7 d", "last_7_days"),
        ("last 2 wks", "2024-10-02..2024-10-15"),
        ("last 2mo", "2024-08-01..2024-09-30"),
        ("since fri", "2024-10-11..2024-10-15"),
        ("since last wednesday", "2024-10-09..2024-10-15"),
        ("since tuesday", "2024-10-08..2024-10-15"),  # said on a Tuesday: a week ago
    ],
)
def test_abbreviated_units_and_weekdays_are_periods(text: str, period: str) -> None:
    found = find_period(text, date(2024, 10, 15))
    assert found is not None and found.value == period


def test_a_period_typed_tersely_is_never_dropped() -> None:
    calls, _ = plan("s3 cost past 14d")
    assert calls == [("cost_query", {"service": "S3", "period": "2024-10-02..2024-10-15"})]


def test_priciest_is_a_cost_superlative_with_a_count() -> None:
    calls, _ = plan("5 priciest services last month")
    assert calls[0][0] == "cost_query"
    assert calls[0][1]["top"] == 5 and calls[0][1]["group_by"] == "service"


def test_split_that_refines_the_previous_cost_request() -> None:
    calls, _ = plan("split it by account", history=["rds spend this month"])
    assert calls == [("cost_query", {"service": "RDS", "period": "this_month", "group_by": "account"})]


def test_gonna_is_a_forecast() -> None:
    calls, _ = plan("how much are we gonna end up spending this month")
    assert calls and calls[0][0] == "cost_forecast"


def test_a_bare_finding_id_is_a_finding_lookup() -> None:
    calls, _ = plan("f-00112233aabbccdd??")
    assert calls == [("list_findings", {"finding_id": "f-00112233aabbccdd"})]


@pytest.mark.parametrize("text", ["has anyone muted anything", "which ones did we ignore"])
def test_asking_what_was_suppressed_lists_suppressed_findings(text: str) -> None:
    calls, _ = plan(text)
    assert calls == [("list_findings", {"status": "suppressed"})]


@pytest.mark.parametrize(
    "text", ["any outstanding approvals", "has somebody approved it", "still waiting for approval?"]
)
def test_approval_status_questions_are_not_tool_calls(text: str) -> None:
    found = approval_query(text)
    assert found is not None and found.kind == "status"


def test_pending_in_a_command_is_not_an_approval_question() -> None:
    assert approval_query("stop the instance pending approval") is None


@pytest.mark.parametrize("text", ["compose a haiku about s3", "tell me a story about terraform"])
def test_creative_writing_is_refused_not_routed(text: str) -> None:
    calls, answer = plan(text)
    assert calls == [] and "outside what I do" in answer


def test_it_points_back_to_the_resource_the_previous_message_named() -> None:
    calls, _ = plan("enable versioning on it", history=["is acme-archive versioned?"])
    assert calls == [("remediate", {"action": "enable_bucket_versioning", "resource_id": "acme-archive"})]


def test_it_without_an_earlier_resource_still_asks() -> None:
    calls, answer = plan("turn on encryption for it", history=["how much did we spend last month"])
    assert calls == [] and answer.startswith("Which")


def test_a_change_verb_after_a_statement_without_punctuation() -> None:
    calls, _ = plan("rdp open to the world on sg-0a1b2c3d4e5f60718 close it")
    assert calls and calls[0][1]["action"] == "revoke_ingress"
    assert calls[0][1]["resource_id"] == "sg-0a1b2c3d4e5f60718"


def test_close_a_port_on_it_after_naming_the_group() -> None:
    calls, _ = plan("close port 3389 on it", history=["show me findings for sg-0c0ffee1234567890"])
    assert calls and calls[0][1]["action"] == "revoke_ingress"
    assert calls[0][1]["resource_id"] == "sg-0c0ffee1234567890"
