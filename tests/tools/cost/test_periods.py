from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tools.base import UserFacingError
from tools.cost.periods import PRESETS, resolve_period

NOW = datetime(2024, 10, 15, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("today", date(2024, 10, 15), date(2024, 10, 15)),
        ("yesterday", date(2024, 10, 14), date(2024, 10, 14)),
        ("this_month", date(2024, 10, 1), date(2024, 10, 15)),
        ("last_month", date(2024, 9, 1), date(2024, 9, 30)),
        ("last_7_days", date(2024, 10, 8), date(2024, 10, 14)),
        ("last_30_days", date(2024, 9, 15), date(2024, 10, 14)),
        ("last_90_days", date(2024, 7, 17), date(2024, 10, 14)),
        ("this_year", date(2024, 1, 1), date(2024, 10, 15)),
        ("last_year", date(2023, 1, 1), date(2023, 12, 31)),
        ("2024-09", date(2024, 9, 1), date(2024, 9, 30)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-12", date(2023, 12, 1), date(2023, 12, 31)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024-09-05", date(2024, 9, 5), date(2024, 9, 5)),
        ("2024-09-01..2024-09-15", date(2024, 9, 1), date(2024, 9, 15)),
        (" 2024-09-01 .. 2024-09-01 ", date(2024, 9, 1), date(2024, 9, 1)),
        ("Last Month", date(2024, 9, 1), date(2024, 9, 30)),
        ("last-7-days", date(2024, 10, 8), date(2024, 10, 14)),
    ],
)
def test_period_days(text: str, first: date, last: date) -> None:
    period = resolve_period(text, NOW)
    assert (period.start, period.last_day) == (first, last)
    assert period.end == last + timedelta(days=1)


def test_every_preset_resolves() -> None:
    for preset in PRESETS:
        assert resolve_period(preset, NOW).days >= 1


def test_last_month_in_january_is_previous_december() -> None:
    period = resolve_period("last_month", datetime(2025, 1, 3, tzinfo=UTC))
    assert (period.start, period.end) == (date(2024, 12, 1), date(2025, 1, 1))
    assert period.label == "December 2024"


def test_days_are_utc_days() -> None:
    # 01:00 on 1 October in UTC+2 is still 30 September in UTC.
    now = datetime(2024, 10, 1, 1, 0, tzinfo=timezone(timedelta(hours=2)))
    assert resolve_period("today", now).start == date(2024, 9, 30)
    assert resolve_period("last_month", now).start == date(2024, 8, 1)


def test_phrases() -> None:
    assert resolve_period("last_month", NOW).phrase == "in September 2024 (2024-09-01 – 2024-09-30)"
    assert resolve_period("today", NOW).phrase == "today (2024-10-15)"
    assert resolve_period("2024-09-01..2024-09-10", NOW).phrase == "from 2024-09-01 to 2024-09-10"


@pytest.mark.parametrize(
    "text",
    [
        "last fortnight",
        "",
        "2024-13",
        "2024-00",
        "0000",
        "2024-02-30",
        "2024-09-10..2024-09-01",
        "2024-09-01..",
        "2024-09..2024-10",
        "september",
        "9999-12..9999-12-31",
    ],
)
def test_bad_period_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(UserFacingError) as err:
        resolve_period(text, NOW)
    message = str(err.value)
    assert "last_month" in message and "YYYY-MM" in message and "YYYY-MM-DD..YYYY-MM-DD" in message
