"""Five-field cron expressions ("0 9 * * MON-FRI"), evaluated in a digest's time zone.

Fields: minute, hour, day of month, month, day of week (0 or 7 = Sunday, or SUN..SAT); each a
`*`, a value, a range `a-b`, a list `a,b`, and any of them with a step `/n`. As in cron, when
both day fields are restricted a day matches if either does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_NAMES = {
    3: {
        m: i + 1
        for i, m in enumerate(
            ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        )
    },
    4: {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])},
}
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_FIELDS = ("minute", "hour", "day of month", "month", "day of week")
# Any valid expression fires within four years (29 February is the rarest day).
_HORIZON_DAYS = 366 * 4 + 1


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class Cron:
    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool
    zone: ZoneInfo

    def matches_day(self, when: datetime) -> bool:
        weekday = (when.weekday() + 1) % 7
        if self.any_day or self.any_weekday:
            return when.day in self.days and weekday in self.weekdays
        return when.day in self.days or weekday in self.weekdays

    def next_after(self, moment: datetime) -> datetime:
        """The first scheduled time strictly after `moment` (an aware datetime), in UTC terms."""
        local = moment.astimezone(self.zone).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = local.replace(hour=0, minute=0)
        for _ in range(_HORIZON_DAYS):
            if day.month in self.months and self.matches_day(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)
                        if candidate >= local:
                            return candidate
            day = (day + timedelta(days=1)).replace(hour=0, minute=0)
        raise ScheduleError(f"'{self.expression}' never fires (check the day and month fields).")

    def latest_at_or_before(self, moment: datetime, lookback: timedelta) -> datetime | None:
        """The most recent scheduled time in (moment - lookback, moment], if any."""
        start = moment - lookback
        found: datetime | None = None
        t = self.next_after(start)
        while t <= moment:
            found = t
            t = self.next_after(t)
        return found


def parse(expression: str, timezone: str = "UTC") -> Cron:
    parts = expression.split()
    if len(parts) != 5:
        raise ScheduleError(
            f"'{expression}' is not a cron expression: give five fields (minute hour day month weekday), "
            "e.g. '0 9 * * MON' for Mondays at 09:00."
        )
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"Unknown time zone '{timezone}' (use an IANA name such as Europe/Berlin)."
        ) from None
    sets = [_field(i, p, expression) for i, p in enumerate(parts)]
    weekdays = frozenset(d % 7 for d in sets[4])
    return Cron(
        expression=expression,
        minutes=sets[0],
        hours=sets[1],
        days=sets[2],
        months=sets[3],
        weekdays=weekdays,
        any_day=parts[2] == "*",
        any_weekday=parts[4] == "*",
        zone=zone,
    )


def _field(index: int, text: str, expression: str) -> frozenset[int]:
    low, high = _BOUNDS[index]
    out: set[int] = set()
    for item in text.split(","):
        base, _, step_text = item.partition("/")
        step = _number(index, step_text, expression, names=False) if step_text else 1
        if step < 1:
            raise ScheduleError(f"Bad step in the {_FIELDS[index]} field of '{expression}'.")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            a, _, b = base.partition("-")
            start, end = _number(index, a, expression), _number(index, b, expression)
        else:
            start = _number(index, base, expression)
            end = high if step_text else start
        if not (low <= start <= end <= high):
            raise ScheduleError(
                f"The {_FIELDS[index]} field of '{expression}' must stay within {low}-{high}."
            )
        out.update(range(start, end + 1, step))
    return frozenset(out)


def _number(index: int, text: str, expression: str, names: bool = True) -> int:
    word = text.strip().upper()
    if names and word in _NAMES.get(index, {}):
        return _NAMES[index][word]
    if not word.isdigit():
        raise ScheduleError(f"'{text}' is not valid in the {_FIELDS[index]} field of '{expression}'.")
    return int(word)
