"""Cron schedules for digests: fields, names, steps, both day fields, time zones, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.digests.schedule import ScheduleError, parse

T = datetime(2024, 10, 15, 12, 7, tzinfo=UTC)  # a Tuesday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("0 9 * * MON", datetime(2024, 10, 21, 9, 0, tzinfo=UTC)),
        ("0 9 * * 1-5", datetime(2024, 10, 16, 9, 0, tzinfo=UTC)),
        ("*/15 * * * *", datetime(2024, 10, 15, 12, 15, tzinfo=UTC)),
        ("30 8 1 * *", datetime(2024, 11, 1, 8, 30, tzinfo=UTC)),
        ("0 0 1 JAN *", datetime(2025, 1, 1, tzinfo=UTC)),
        ("0 12,18 * * *", datetime(2024, 10, 15, 18, 0, tzinfo=UTC)),
        ("0 9 * * 0", datetime(2024, 10, 20, 9, 0, tzinfo=UTC)),
        ("0 9 * * 7", datetime(2024, 10, 20, 9, 0, tzinfo=UTC)),
        # Both day fields restricted: either matches (the 20th, or the next Friday).
        ("0 6 20 * FRI", datetime(2024, 10, 18, 6, 0, tzinfo=UTC)),
        ("0 0 29 2 *", datetime(2028, 2, 29, tzinfo=UTC)),
    ],
)
def test_next_after(expression: str, expected: datetime) -> None:
    assert parse(expression).next_after(T) == expected


def test_time_zone_and_daylight_saving() -> None:
    berlin = parse("0 9 * * *", "Europe/Berlin")
    # 09:00 in Berlin is 07:00 UTC in summer time and 08:00 UTC after the clocks go back.
    assert berlin.next_after(T).astimezone(UTC) == datetime(2024, 10, 16, 7, 0, tzinfo=UTC)
    after_change = berlin.next_after(datetime(2024, 10, 28, 0, 0, tzinfo=UTC))
    assert after_change.astimezone(UTC) == datetime(2024, 10, 28, 8, 0, tzinfo=UTC)


def test_latest_slot_within_a_window() -> None:
    cron = parse("0 9 * * *")
    assert cron.latest_at_or_before(T, timedelta(hours=2)) is None
    assert cron.latest_at_or_before(T, timedelta(hours=4)) == datetime(2024, 10, 15, 9, 0, tzinfo=UTC)
    exact = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)
    assert cron.latest_at_or_before(exact, timedelta(minutes=1)) == exact


@pytest.mark.parametrize(
    ("expression", "zone", "message"),
    [
        ("0 9 * *", "UTC", "give five fields"),
        ("61 9 * * *", "UTC", "minute field .* within 0-59"),
        ("0 9 * * FUNDAY", "UTC", "'FUNDAY' is not valid in the day of week field"),
        ("0 9 * * */0", "UTC", "Bad step"),
        ("0 9 5-2 * *", "UTC", "day of month field .* within 1-31"),
        ("0 9 * * *", "Mars/Olympus", "Unknown time zone 'Mars/Olympus'"),
        ("0 0 31 2 *", "UTC", "never fires"),
    ],
)
def test_bad_expressions_are_explained(expression: str, zone: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse(expression, zone).next_after(T)


def test_default_questions_reach_cost_security_and_savings_tools() -> None:
    from agent.guard import tool_specs
    from agent.planner.offline import OfflinePlanner
    from config.settings import DEFAULT_DIGEST_QUESTIONS
    from tools.registry import TOOLS

    specs = tool_specs(TOOLS)
    planned = [
        [c.name for c in OfflinePlanner().plan(q, [], specs, T).calls] for q in DEFAULT_DIGEST_QUESTIONS
    ]
    assert planned == [["cost_query"], ["cost_anomalies"], ["security_scan"], ["savings_opportunities"]]
