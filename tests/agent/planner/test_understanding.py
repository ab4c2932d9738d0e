"""The offline planner says what it understood, asks about filters it cannot match, compares
periods, switches cost types, filters and groups by provider, and offers readings, not a help wall."""

from __future__ import annotations

from typing import Any

import pytest

from agent.guard import tool_specs
from agent.planner import PastTurn, PlannedCall, ToolOutcomeView
from agent.planner.answers import compose
from agent.planner.offline import OfflinePlanner
from tests.agent.planner.helpers import NOW
from tools.registry import TOOLS

SPECS = tool_specs(TOOLS)
BY_NAME = {t.name: t for t in TOOLS}


def plan(text: str, history: list[PastTurn] | None = None) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    decision = OfflinePlanner().plan(text, history or [], SPECS, NOW)
    for call in decision.calls:
        BY_NAME[call.name].parse(call.args)
    return [(c.name, c.args) for c in decision.calls], decision.answer or ""


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("how much is azure costing us", {"provider": "Microsoft"}),
        ("gcp spend last month", {"period": "last_month", "provider": "Google Cloud"}),
        ("cost by provider last month", {"period": "last_month", "group_by": "provider"}),
        (
            "EC2 cost last month vs the month before",
            {"period": "last_month", "compare_to": "previous_period", "service": "EC2"},
        ),
        ("compare september to august", {"period": "2024-09", "compare_to": "2024-08"}),
        ("august vs september", {"period": "2024-09", "compare_to": "2024-08"}),
        ("month over month by service", {"group_by": "service", "compare_to": "previous_period"}),
        ("S3 cost year over year", {"compare_to": "previous_year", "service": "S3"}),
        ("effective cost last month", {"period": "last_month", "cost_type": "effective"}),
        ("amortized cost by service", {"group_by": "service", "cost_type": "effective"}),
        ("list cost of EC2 last month", {"period": "last_month", "cost_type": "list", "service": "EC2"}),
        ("what were we billed for S3", {"cost_type": "billed", "service": "S3"}),
        ("how much did we spend on Lamda", {"service": "Lambda"}),
        ("cost of GuardDuty last month", {"period": "last_month", "service": "GuardDuty"}),
        ("spend on azure vms last month", {"period": "last_month", "service": "Azure Virtual Machines"}),
    ],
)
def test_cost_questions_keep_every_filter(text: str, args: dict[str, Any]) -> None:
    calls, _ = plan(text)
    assert calls == [("cost_query", args)]


def test_two_cost_types_are_two_calls() -> None:
    calls, _ = plan("effective vs list cost last month")
    assert [c[1].get("cost_type") for c in calls] == ["effective", "list"]


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("how much did we spend on FooBarService", ["could not match 'FooBarService'", "cost by service"]),
        ("list instances in mars-north-7", ["could not match 'mars-north-7'", "did you mean"]),
        ("EC2 spend in eu-west-9", ["'eu-west-9'", "eu-west-1"]),
        ("which instances have no owner tag?", ["can't list resources that lack the 'owner' tag"]),
        ("how much did we save with savings plans?", ["savings plan", "effective cost"]),
        ("list azure vms", ["can't list Azure Virtual Machines"]),
        ("show azure resources", ["AWS only"]),
    ],
)
def test_unmatched_or_unsupported_filters_are_never_dropped(text: str, phrases: list[str]) -> None:
    calls, answer = plan(text)
    assert calls == []
    for phrase in phrases:
        assert phrase in answer


def test_follow_ups_change_one_slot() -> None:
    history: list[PastTurn] = []
    expected = [
        ("how much did we spend on EC2 last month", {"period": "last_month", "service": "EC2"}),
        ("and the month before?", {"period": "2024-08", "service": "EC2"}),
        ("same for S3", {"period": "2024-08", "service": "S3"}),
        ("vs the month before", {"period": "2024-08", "service": "S3", "compare_to": "previous_period"}),
    ]
    for text, args in expected:
        decision = OfflinePlanner().plan(text, history, SPECS, NOW)
        assert [(c.name, c.args) for c in decision.calls] == [("cost_query", args)], text
        history.append(PastTurn(text=text, calls=decision.calls))


def test_compare_follow_up_moves_both_periods() -> None:
    first = OfflinePlanner().plan("compare september to august", [], SPECS, NOW)
    history = [PastTurn(text="compare september to august", calls=first.calls)]
    calls, _ = plan("and the month before?", history)
    assert calls == [("cost_query", {"period": "2024-08", "compare_to": "2024-07"})]


def test_answer_starts_with_what_was_understood() -> None:
    call = PlannedCall(name="cost_query", args={"period": "last_month", "service": "EC2"})
    outcome = ToolOutcomeView(
        call=call, status="ok", message="EC2 cost $3.", data={"period": "September 2024"}
    )
    text = OfflinePlanner().compose("q", [], [outcome])
    assert text == "Understood: EC2, September 2024, billed cost, all accounts.\nEC2 cost $3."
    # Only the offline planner's own answers carry it.
    assert compose([outcome]) == "EC2 cost $3."


def test_interpretation_names_comparison_provider_and_cost_type() -> None:
    args = {"provider": "Microsoft", "compare_to": "previous_period", "cost_type": "effective"}
    outcome = ToolOutcomeView(call=PlannedCall(name="cost_query", args=args), status="ok", message="m")
    line = compose([outcome], interpret=True).splitlines()[0]
    assert line == (
        "Understood: all services, Microsoft, last month vs previous period, effective cost, all accounts."
    )


@pytest.mark.parametrize("text", ["asdf qwer", "banana", "cots of stuff"])
def test_unknown_messages_get_a_few_readings_not_the_help_wall(text: str) -> None:
    _, answer = plan(text)
    bullets = [line for line in answer.splitlines() if line.startswith("• ")]
    assert 2 <= len(bullets) <= 3
    assert "help" in answer
    assert "cost_query" not in answer and "describe_resources" not in answer


def test_cost_words_put_cost_first() -> None:
    _, answer = plan("cots of stuff")
    assert answer.splitlines()[1] == "• 'how much did we spend last month?'"


def test_help_still_lists_everything() -> None:
    _, answer = plan("help")
    assert answer.count("• ") >= 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("explain finding f-0123456789abcdef", [("list_findings", {"finding_id": "f-0123456789abcdef"})]),
        (
            "show me the details of finding F-0123456789ABCDEF",
            [("list_findings", {"finding_id": "f-0123456789abcdef"})],
        ),
        (
            "our bastion needs port 22 reachable from outside, is that allowed?",
            [
                (
                    "search_knowledge",
                    {"query": "our bastion needs port 22 reachable from outside, is that allowed"},
                )
            ],
        ),
        (
            "are we allowed to open rdp to a vendor ip",
            [("search_knowledge", {"query": "are we allowed to open rdp to a vendor ip"})],
        ),
    ],
)
def test_finding_detail_and_permission_questions(
    text: str, expected: list[tuple[str, dict[str, Any]]]
) -> None:
    calls, _ = plan(text)
    assert calls == expected
