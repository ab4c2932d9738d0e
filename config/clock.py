"""A clock that tests and the demo can pin, so "last month" is reproducible."""

from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    def __init__(self, fixed: datetime | None = None) -> None:
        if fixed is not None and fixed.tzinfo is None:
            fixed = fixed.replace(tzinfo=UTC)
        self._fixed = fixed

    @property
    def fixed(self) -> bool:
        return self._fixed is not None

    def now(self) -> datetime:
        # A pinned clock still advances from the pinned instant, so expiry windows
        # and audit ordering behave as they would in real time.
        if self._fixed is None:
            return datetime.now(UTC)
        return self._fixed + (datetime.now(UTC) - _PROCESS_START)


_PROCESS_START = datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` with UTC attached when it has no zone: SQLite returns naive datetimes even for
    timezone=True columns, and CloudPilot stores every time in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
