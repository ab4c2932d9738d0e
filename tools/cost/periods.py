"""Turn a period argument ("last_month", "2024-09", "2024-09-01..2024-09-15") into dates.

Periods are calendar days in UTC, resolved against the context clock so a pinned clock
(settings.now) makes "last month" reproducible. A charge belongs to a period by its
ChargePeriodStart (when the usage happened), not by its billing period: an invoice month can
carry charges from the previous month's last hours, and users ask about when they spent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tools.base import UserFacingError

PRESETS = (
    "today",
    "yesterday",
    "this_month",
    "last_month",
    "last_7_days",
    "last_30_days",
    "last_90_days",
    "this_year",
    "last_year",
)

ACCEPTED_FORMS = (
    f"a preset ({', '.join(PRESETS)}), a month 'YYYY-MM', a year 'YYYY', a day 'YYYY-MM-DD' "
    "or a range 'YYYY-MM-DD..YYYY-MM-DD' (end day included)"
)

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Period:
    """Days [start, end): `end` is exclusive so consecutive periods never overlap."""

    start: date
    end: date
    label: str
    phrase: str

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def resolve_period(text: str, now: datetime) -> Period:
    """Resolve a period argument; raise UserFacingError naming the accepted forms if it is bad."""
    try:
        return _resolve(text, now)
    except (ValueError, OverflowError):
        # Out-of-range calendar values such as year 0 or month 13 of year 9999.
        raise UserFacingError(f"'{text}' is not a valid period. Use {ACCEPTED_FORMS}.") from None


def _resolve(text: str, now: datetime) -> Period:
    raw = text.strip()
    key = re.sub(r"[\s-]+", "_", raw.lower())
    today = (now.astimezone(UTC) if now.tzinfo else now).date()
    if key in PRESETS:
        return _preset(key, today)
    if ".." in raw:
        return _range(raw)
    if m := _MONTH.match(raw):
        return _month(int(m.group(1)), int(m.group(2)), raw)
    if m := _YEAR.match(raw):
        year = int(m.group(1))
        return _span(date(year, 1, 1), date(year + 1, 1, 1), str(year))
    if _DAY.match(raw):
        day = _parse_day(raw)
        return Period(day, day + timedelta(days=1), raw, f"on {raw}")
    raise UserFacingError(f"I don't understand the period '{text}'. Use {ACCEPTED_FORMS}.")


def _preset(key: str, today: date) -> Period:
    month_start = today.replace(day=1)
    tomorrow = today + timedelta(days=1)
    if key == "today":
        return Period(today, tomorrow, "today", f"today ({today.isoformat()})")
    if key == "yesterday":
        day = today - timedelta(days=1)
        return Period(day, today, "yesterday", f"yesterday ({day.isoformat()})")
    if key == "this_month":
        return _span(month_start, tomorrow, f"{_month_name(month_start)} to date")
    if key == "last_month":
        start = (month_start - timedelta(days=1)).replace(day=1)
        return _span(start, month_start, _month_name(start))
    if key.startswith("last_") and key.endswith("_days"):
        # The N whole days before today: today's data is still arriving and would skew it.
        n = int(key.split("_")[1])
        return _span(today - timedelta(days=n), today, f"the last {n} days")
    if key == "this_year":
        return _span(date(today.year, 1, 1), tomorrow, f"{today.year} to date")
    # last_year
    return _span(date(today.year - 1, 1, 1), date(today.year, 1, 1), str(today.year - 1))


def _span(start: date, end: date, label: str) -> Period:
    last = end - timedelta(days=1)
    return Period(start, end, label, f"in {label} ({start.isoformat()} – {last.isoformat()})")


def _month(year: int, month: int, raw: str) -> Period:
    if not 1 <= month <= 12:
        raise UserFacingError(f"'{raw}' is not a valid month. Use {ACCEPTED_FORMS}.")
    start = date(year, month, 1)
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return _span(start, end, _month_name(start))


def _range(raw: str) -> Period:
    first, _, last = (part.strip() for part in raw.partition(".."))
    if not (_DAY.match(first) and _DAY.match(last)):
        raise UserFacingError(f"I don't understand the range '{raw}'. Use {ACCEPTED_FORMS}.")
    start, end_day = _parse_day(first), _parse_day(last)
    if end_day < start:
        raise UserFacingError(f"The range '{raw}' ends before it starts. Use {ACCEPTED_FORMS}.")
    return Period(
        start,
        end_day + timedelta(days=1),
        f"{start.isoformat()} – {end_day.isoformat()}",
        f"from {start.isoformat()} to {end_day.isoformat()}",
    )


def _parse_day(text: str) -> date:
    return date.fromisoformat(text)


def _month_name(day: date) -> str:
    return f"{_MONTH_NAMES[day.month - 1]} {day.year}"


# Spelled out rather than strftime("%B"), which follows the process locale.
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


COMPARISONS = ("previous_period", "previous_year")


def comparison_period(period: Period, compare_to: str, now: datetime) -> Period:
    """The period to compare with: the one before (like for like), the same dates a year
    earlier, or any period argument ("2024-08")."""
    key = re.sub(r"[\s-]+", "_", compare_to.strip().lower())
    if key in ("previous_period", "previous", "prior_period", "last_period"):
        return _previous(period)
    if key in ("previous_year", "last_year_same_period", "year_over_year", "yoy"):
        start, end = _minus_year(period.start), _minus_year(period.end)
        return _span(start, end, "the same dates a year earlier")
    return resolve_period(compare_to, now)


def _previous(period: Period) -> Period:
    start, end = period.start, period.end
    if start.day == 1 and end.day == 1:
        # Whole months: the same number of months before.
        months = (end.year - start.year) * 12 + end.month - start.month
        first = _add_months(start, -months)
        label = _month_name(first) if months == 1 else f"the {months} months before"
        return _span(first, start, label)
    if start.day == 1:
        # Month to date: the same days of the previous month ("1-15 Oct" vs "1-15 Sep").
        first = _add_months(start, -1)
        last_end = min(first + (end - start), start)
        return _span(first, last_end, f"the same days of {_month_name(first)}")
    length = end - start
    return _span(start - length, start, f"the previous {length.days} days")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _minus_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def explicit_period(start: date, end: date) -> Period:
    """Dates given as fields (end included)."""
    if end < start:
        raise UserFacingError(f"The range {start} – {end} ends before it starts.")
    return _range(f"{start.isoformat()}..{end.isoformat()}")
