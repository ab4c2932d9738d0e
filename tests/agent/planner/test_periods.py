"""Time phrases -> cost_query periods, with now pinned to 2024-10-15."""

from __future__ import annotations

from datetime import date

import pytest

from agent.planner.periods import find_period

TODAY = date(2024, 10, 15)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("what did we spend last month", "last_month"),
        ("costs for the previous month", "last_month"),
        ("spend this month", "this_month"),
        ("month to date spend", "this_month"),
        ("MTD cost", "this_month"),
        ("cost yesterday", "yesterday"),
        ("what did we spend today", "today"),
        ("cost last 7 days", "last_7_days"),
        ("past 7 days", "last_7_days"),
        ("over the past week", "last_7_days"),
        ("last week", "last_7_days"),
        ("last seven days", "last_7_days"),
        ("last 30 days", "last_30_days"),
        ("the past month", "last_30_days"),
        ("last 90 days", "last_90_days"),
        ("past 14 days", "2024-10-02..2024-10-15"),
        ("last 2 weeks", "2024-10-02..2024-10-15"),
        ("last 3 months", "2024-07-01..2024-09-30"),
        ("last quarter", "2024-07-01..2024-09-30"),
        ("this quarter", "2024-10-01..2024-10-15"),
        ("Q1", "2024-01-01..2024-03-31"),
        ("Q4 2023", "2023-10-01..2023-12-31"),
        ("this year", "this_year"),
        ("year to date", "this_year"),
        ("YTD", "this_year"),
        ("last year", "last_year"),
        ("in 2024", "this_year"),
        ("in 2023", "last_year"),
        ("during 2021", "2021-01-01..2021-12-31"),
        ("the past year", "2023-10-01..2024-09-30"),
        ("in September", "2024-09"),
        ("September", "2024-09"),
        ("sept", "2024-09"),
        ("for October", "2024-10"),
        ("in November", "2023-11"),
        ("in December", "2023-12"),
        ("January", "2024-01"),
        ("for may", "2024-05"),
        ("September 2024", "2024-09"),
        ("Sep 2023", "2023-09"),
        ("December, 2022", "2022-12"),
        ("2024-09", "2024-09"),
        ("from 2024-09-01 to 2024-09-15", "2024-09-01..2024-09-15"),
        ("between 2024-09-01 and 2024-09-15", "2024-09-01..2024-09-15"),
        ("2024-09-01..2024-09-15", "2024-09-01..2024-09-15"),
        ("from 2024-09-15 to 2024-09-01", "2024-09-01..2024-09-15"),
        ("on 2024-09-03", "2024-09-03..2024-09-03"),
        ("since 2024-10-01", "2024-10-01..2024-10-15"),
        ("since August", "2024-08-01..2024-10-15"),
        ("from July to September", "2024-07-01..2024-09-30"),
        ("from November to January 2024", "2023-11-01..2024-01-31"),
        ("2024-07 to 2024-08", "2024-07-01..2024-08-31"),
    ],
)
def test_period_phrases(text: str, period: str) -> None:
    found = find_period(text, TODAY)
    assert found is not None, text
    assert found.value == period


@pytest.mark.parametrize(
    "text",
    ["list our buckets", "may I see the costs", "what is the market rate", "decrease spend", "2024-13"],
)
def test_no_period(text: str) -> None:
    assert find_period(text, TODAY) is None


def test_impossible_dates_are_passed_on_for_the_tool_to_refuse() -> None:
    # Dropping them would silently query the default period instead.
    found = find_period("from 2024-02-30 to 2024-03-05", TODAY)
    assert found is not None and found.value == "2024-02-30..2024-03-05"


def test_period_span_points_at_the_phrase() -> None:
    found = find_period("EC2 cost last month please", TODAY)
    assert found is not None
    assert "EC2 cost last month please"[found.start : found.end].strip() == "last month"
