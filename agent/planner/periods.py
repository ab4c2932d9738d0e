"""Turning time phrases into cost_query periods, relative to the planner's `now`.

The result is one of the cost tool's presets, a month "YYYY-MM", or an inclusive range
"YYYY-MM-DD..YYYY-MM-DD". A month named without a year means its most recent occurrence that is
not in the future.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from agent.planner.vocab import MONTHS, NUMBER_WORDS

PRESET_DAYS = {7: "last_7_days", 30: "last_30_days", 90: "last_90_days"}

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?:19|20)\d\d"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_ISO_MONTH = r"\d{4}-\d{2}(?![\d-])"
_NUM = r"(?:\d{1,3}|" + "|".join(NUMBER_WORDS) + r")"
# A month name, optionally with a year, or an ISO month.
_MONTH_TOKEN = rf"(?:{_MONTH}(?:\s*,?\s*{_YEAR})?|{_ISO_MONTH})"
_ORD = r"(?:st|nd|rd|th)?"
# A day: ISO, or a month name and a day of the month ("sep 1", "1st of september", "Sep 10, 2024").
_DAY_TOKEN = (
    rf"(?:{_ISO_DATE}|{_MONTH}\s+\d{{1,2}}{_ORD}(?!\d)(?:\s*,?\s*{_YEAR})?"
    rf"|\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH}(?:\s*,?\s*{_YEAR})?)"
)
_RANGE_SEP = r"\s*(?:\.\.|to|until|till|through|thru|and|-|–)\s*"
_PAST = r"(?:last|past|previous|prior|trailing)"
# Units as typed in chat: "last 30d", "past 2 wks", "last 3mo".
_DAYS = r"(?:days?|d)"
_WEEKS = r"(?:weeks?|wks?|w)"
_MONTHS_UNIT = r"(?:months?|mos?|mths?|mnths?)"
_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
_WEEKDAY = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))


@dataclass(frozen=True)
class PeriodMatch:
    value: str
    start: int
    end: int


def _number(token: str) -> int:
    return int(token) if token.isdigit() else NUMBER_WORDS[token.lower()]


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def _shift_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _span(start: date, end: date) -> str:
    if end < start:
        start, end = end, start
    return f"{start.isoformat()}..{end.isoformat()}"


def _parse_month_token(token: str, today: date) -> tuple[int, int] | None:
    token = token.strip().lower()
    iso = re.fullmatch(r"(\d{4})-(\d{2})", token)
    if iso:
        month = int(iso.group(2))
        return (int(iso.group(1)), month) if 1 <= month <= 12 else None
    named = re.fullmatch(rf"({_MONTH})\s*,?\s*({_YEAR})?", token)
    if not named:
        return None
    month = MONTHS[named.group(1).rstrip(".")]
    if named.group(2):
        return int(named.group(2)), month
    # Without a year, a month means its latest occurrence that has already begun.
    year = today.year if month <= today.month else today.year - 1
    return year, month


def _parse_day(token: str, today: date | None = None) -> date | None:
    """An ISO date, or "sep 1" / "1st of september" (without a year: the latest one not in the future)."""
    try:
        return date.fromisoformat(token)
    except ValueError:
        pass
    m = re.fullmatch(
        rf"(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}){_ORD}|(?P<d2>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m2>{_MONTH}))"
        rf"(?:\s*,?\s*(?P<y>{_YEAR}))?",
        token.strip(),
        re.IGNORECASE,
    )
    if m is None:
        return None
    month = MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
    day = int(m.group("d1") or m.group("d2"))
    today = today or date.today()
    year = int(m.group("y")) if m.group("y") else today.year
    try:
        found = date(year, month, day)
        if not m.group("y") and found > today:
            found = date(year - 1, month, day)
    except ValueError:
        return None
    return found


def _day_range(m: re.Match[str], today: date) -> str | None:
    start, end = _parse_day(m.group("a"), today), _parse_day(m.group("b"), today)
    if start is None or end is None:
        # Passed on as written: the cost tool explains what is wrong with the date.
        return f"{m.group('a')}..{m.group('b')}"
    return _span(start, end)


def _month_range(m: re.Match[str], today: date) -> str | None:
    first = _parse_month_token(m.group("a"), today)
    last = _parse_month_token(m.group("b"), today)
    if first is None or last is None:
        return None
    # "from July to September 2023": the year given at the end applies to both.
    if not re.search(r"\d{4}", m.group("a")) and re.search(r"\d{4}", m.group("b")):
        first = (last[0] if first[1] <= last[1] else last[0] - 1, first[1])
    return _span(date(first[0], first[1], 1), _month_end(*last))


def _since(m: re.Match[str], today: date) -> str | None:
    token = m.group("a")
    day = _parse_day(token, today)
    if day is None:
        month = _parse_month_token(token, today)
        if month is None:
            return None
        day = date(month[0], month[1], 1)
    return _span(day, today)


def _since_weekday(m: re.Match[str], today: date) -> str | None:
    # The latest such weekday before today: "since monday" said on a Monday means a week ago.
    back = (today.weekday() - _WEEKDAYS[m.group("wd").lower()]) % 7 or 7
    return _span(today - timedelta(days=back), today)


def _single_day(m: re.Match[str], today: date) -> str | None:
    day = _parse_day(m.group("a"), today)
    return f"{m.group('a')}..{m.group('a')}" if day is None else _span(day, day)


def _quarter_range(year: int, quarter: int, today: date) -> str:
    first_month = 3 * (quarter - 1) + 1
    start = date(year, first_month, 1)
    end = _month_end(year, first_month + 2)
    # A quarter still under way ends today: there is no cost data from the future.
    if start <= today < end:
        end = today
    return _span(start, end)


def _named_quarter(m: re.Match[str], today: date) -> str | None:
    quarter = int(m.group("q"))
    year = int(m.group("y")) if m.group("y") else today.year
    if not m.group("y") and 3 * (quarter - 1) + 1 > today.month:
        year -= 1
    return _quarter_range(year, quarter, today)


def _previous_quarter(m: re.Match[str], today: date) -> str | None:
    current = (today.month - 1) // 3 + 1
    year, quarter = (today.year, current - 1) if current > 1 else (today.year - 1, 4)
    return _quarter_range(year, quarter, today)


def _this_quarter(m: re.Match[str], today: date) -> str | None:
    return _quarter_range(today.year, (today.month - 1) // 3 + 1, today)


def _month_with_year(m: re.Match[str], today: date) -> str | None:
    parsed = _parse_month_token(m.group(0), today)
    return None if parsed is None else f"{parsed[0]:04d}-{parsed[1]:02d}"


def _last_n_days(m: re.Match[str], today: date) -> str | None:
    days = _number(m.group("n"))
    if days < 1:
        return None
    if days in PRESET_DAYS:
        return PRESET_DAYS[days]
    return _span(today - timedelta(days=days - 1), today)


def _last_n_weeks(m: re.Match[str], today: date) -> str | None:
    weeks = _number(m.group("n")) if m.group("n") else 1
    return PRESET_DAYS.get(weeks * 7) or _span(today - timedelta(days=weeks * 7 - 1), today)


def _last_n_months(m: re.Match[str], today: date) -> str | None:
    months = _number(m.group("n"))
    if months < 1:
        return None
    if months == 1:
        return "last_month"
    # The N complete months before the current one.
    start = _shift_months(today.year, today.month, -months)
    end = _shift_months(today.year, today.month, -1)
    return _span(date(start[0], start[1], 1), _month_end(*end))


def _past_year(m: re.Match[str], today: date) -> str | None:
    start = _shift_months(today.year, today.month, -12)
    end = _shift_months(today.year, today.month, -1)
    return _span(date(start[0], start[1], 1), _month_end(*end))


def _whole_year(m: re.Match[str], today: date) -> str | None:
    year = int(m.group("y"))
    if year == today.year:
        return "this_year"
    if year == today.year - 1:
        return "last_year"
    return _span(date(year, 1, 1), date(year, 12, 31))


def _bare_month(m: re.Match[str], today: date) -> str | None:
    word = m.group("m").lower().rstrip(".")
    # "may" and "mar" are ordinary words; only take them as months after a time preposition.
    if word in ("may", "mar") and not m.group("prep"):
        return None
    parsed = _parse_month_token(word, today)
    return None if parsed is None else f"{parsed[0]:04d}-{parsed[1]:02d}"


def _const(value: str) -> Callable[[re.Match[str], date], str | None]:
    def handler(m: re.Match[str], today: date) -> str | None:
        return value

    return handler


Handler = Callable[[re.Match[str], date], str | None]

# Tried in order; the first rule that matches anywhere wins, so specific forms come first.
_RULES: tuple[tuple[str, Handler], ...] = (
    (rf"(?:from|between)?\s*(?P<a>{_DAY_TOKEN}){_RANGE_SEP}(?P<b>{_DAY_TOKEN})", _day_range),
    (rf"(?:from|between)\s+(?P<a>{_MONTH_TOKEN}){_RANGE_SEP}(?P<b>{_MONTH_TOKEN})", _month_range),
    (rf"(?P<a>{_ISO_MONTH})\s*(?:\.\.|to|through|until)\s*(?P<b>{_ISO_MONTH})", _month_range),
    (rf"since\s+(?:the\s+(?:start|beginning)\s+of\s+)?(?P<a>{_DAY_TOKEN}|{_MONTH_TOKEN})", _since),
    (rf"since\s+(?:last\s+|this\s+(?:past\s+)?)?(?P<wd>{_WEEKDAY})", _since_weekday),
    (rf"(?:on\s+)?(?P<a>{_DAY_TOKEN})", _single_day),
    (rf"q(?P<q>[1-4])(?:\s*,?\s*(?P<y>{_YEAR}))?", _named_quarter),
    (rf"(?:{_PAST})\s+quarter", _previous_quarter),
    (r"(?:this|current)\s+quarter|quarter[ -]to[ -]date|qtd", _this_quarter),
    (rf"{_MONTH}\s*,?\s*{_YEAR}|{_ISO_MONTH}", _month_with_year),
    (r"today|so far today", _const("today")),
    (r"yesterday", _const("yesterday")),
    (r"(?:this|current)\s+month|month[ -]to[ -]date|mtd|so far this month", _const("this_month")),
    (r"(?:last|previous|prior)\s+month|a month ago", _const("last_month")),
    (rf"(?:{_PAST})\s+(?P<n>{_NUM})\s*{_DAYS}", _last_n_days),
    (rf"(?:{_PAST})\s+(?:(?P<n>{_NUM})\s*)?{_WEEKS}|(?:this|the)\s+week", _last_n_weeks),
    (r"(?:past|trailing)\s+month|last\s+(?:thirty|30)\s+days", _const("last_30_days")),
    (rf"(?:{_PAST})\s+(?P<n>{_NUM})\s*{_MONTHS_UNIT}", _last_n_months),
    (r"(?:this|current)\s+year|year[ -]to[ -]date|ytd", _const("this_year")),
    (r"(?:last|previous|prior)\s+year", _const("last_year")),
    (r"(?:past|trailing)\s+year", _past_year),
    (rf"(?:in|for|during|of)\s+(?P<y>{_YEAR})", _whole_year),
    (rf"(?P<prep>(?:in|for|during|of|since|over)\s+)?(?P<m>{_MONTH})", _bare_month),
)

_COMPILED = tuple((re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), handler) for pattern, handler in _RULES)


def find_period(text: str, today: date) -> PeriodMatch | None:
    """The first time phrase in `text`, as a cost_query period, or None when there is none."""
    for pattern, handler in _COMPILED:
        for m in pattern.finditer(text):
            value = handler(m, today)
            if value is not None:
                return PeriodMatch(value, m.start(), m.end())
    return None
