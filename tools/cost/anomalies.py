"""Finding days whose spend breaks from the series' own history, and explaining them.

Each series (a service, or an account) is compared day by day with a baseline built from the
eight weeks before that day: a weekday pattern (weekends are often quieter) times a robust
level (median), with a robust spread (MAD). A day is anomalous when it exceeds the baseline by
several spreads, by a material amount and by a material fraction. Consecutive anomalous days
form one event; its contributors are the resources and usage types whose cost grew most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal

from tools.cost.datastore import CostStore
from tools.cost.query import USAGE_ONLY, CostFilter, cost_column
from tools.cost.timeseries import baseline, dense

HISTORY_DAYS = 56
# A day is judged only against a full baseline window: eight weeks of its series' history. The
# weekday factors are medians of the same weekday's past values, so eight weeks give each weekday
# eight samples. With four (a month of data), the median is the mean of the middle two, and a
# level change inside the month decides it: the bundled one-month sample made a Sunday factor of
# 0.05 out of noise and called an ordinary $1.77 Sunday "+6500%". Shorter history is reported as
# such (with plain week-over-week figures), never as anomalies.
MIN_HISTORY_DAYS = HISTORY_DAYS
SENSITIVITY_Z = {"low": 6.0, "medium": 4.0, "high": 3.0}
Severity = Literal["critical", "high", "medium", "low"]


@dataclass(frozen=True)
class DayFlag:
    day: date
    actual: float
    expected: float
    score: float


@dataclass
class Event:
    """Consecutive anomalous days of one series."""

    key: str
    days: list[DayFlag]
    severity: Severity = "low"
    contributors: list[Contributor] = field(default_factory=list)

    @property
    def start(self) -> date:
        return self.days[0].day

    @property
    def end(self) -> date:
        return self.days[-1].day

    @property
    def actual(self) -> float:
        return sum(d.actual for d in self.days)

    @property
    def expected(self) -> float:
        return sum(d.expected for d in self.days)

    @property
    def impact(self) -> float:
        return self.actual - self.expected

    @property
    def relative(self) -> float:
        return self.impact / self.expected if self.expected > 0 else float("inf")


@dataclass(frozen=True)
class Contributor:
    resource_id: str
    usage_type: str
    account: str
    region: str
    actual: float
    expected: float

    @property
    def delta(self) -> float:
        return self.actual - self.expected


@dataclass(frozen=True)
class DetectOptions:
    z: float = 4.0
    # An anomaly must add at least this much per day...
    min_impact: float = 1.0
    # ...and at least this fraction of what was expected.
    min_relative: float = 0.25
    direction: Literal["up", "both"] = "up"


def detect_series(
    key: str, values: dict[date, float], scan_start: date, scan_end: date, opts: DetectOptions
) -> list[Event]:
    """Anomalous days of one series in [scan_start, scan_end), grouped into events."""
    history_start = scan_start - timedelta(days=HISTORY_DAYS)
    all_days = [history_start + timedelta(days=i) for i in range((scan_end - history_start).days)]
    series = dense(values, history_start, scan_end)
    first_seen = min(values) if values else scan_end
    flags: list[DayFlag] = []
    for i, day in enumerate(all_days):
        if day < scan_start:
            continue
        lo = max(0, i - HISTORY_DAYS, (first_seen - history_start).days)
        history, hdays = series[lo:i], all_days[lo:i]
        if len(history) < MIN_HISTORY_DAYS:
            continue
        base = baseline(history, hdays, day)
        if base is None:
            continue
        actual = series[i]
        diff = actual - base.expected
        floor = max(0.02 * base.expected, 0.1 * opts.min_impact)
        score = diff / max(base.scale, floor)
        upward = diff >= opts.min_impact and (base.expected <= 0 or diff / base.expected >= opts.min_relative)
        downward = (
            opts.direction == "both"
            and -diff >= opts.min_impact
            and base.expected > 0
            and (-diff / base.expected >= opts.min_relative)
        )
        if (upward and score >= opts.z) or (downward and -score >= opts.z):
            flags.append(DayFlag(day, actual, base.expected, score))
    return _events(key, flags)


def first_checkable(first_seen: date) -> date:
    """The first day of a series that has the history a baseline needs."""
    return first_seen + timedelta(days=MIN_HISTORY_DAYS)


def _events(key: str, flags: Sequence[DayFlag]) -> list[Event]:
    events: list[Event] = []
    for flag in flags:
        last = events[-1] if events else None
        same_sign = last is not None and (last.days[-1].score > 0) == (flag.score > 0)
        if last is not None and same_sign and (flag.day - last.end).days == 1:
            last.days.append(flag)
        else:
            events.append(Event(key, [flag]))
    return events


def severity(event: Event, typical_daily_total: float) -> Severity:
    """From the absolute impact (against the whole daily spend) and the relative jump."""
    impact = abs(event.impact)
    weight = impact / typical_daily_total if typical_daily_total > 0 else 1.0
    rel = abs(event.relative)
    if weight >= 0.5 or (weight >= 0.25 and rel >= 2):
        return "critical"
    if weight >= 0.15 or (weight >= 0.05 and rel >= 1.5):
        return "high"
    if weight >= 0.03 or rel >= 1:
        return "medium"
    return "low"


def contributors(
    store: CostStore,
    flt: CostFilter,
    event: Event,
    cost_type: str,
    dimension_clause: tuple[str, list[object]],
    limit: int = 5,
) -> list[Contributor]:
    """Resources and usage types whose daily cost grew most during the event, against the four
    weeks before it."""
    base_start = event.start - timedelta(days=28)
    where, params = replace(flt, start=base_start, end=event.end + timedelta(days=1)).where()
    clause, clause_params = dimension_clause
    column = cost_column(cost_type)
    event_days = (event.end - event.start).days + 1
    rows = store.fetch(
        f"""
        SELECT coalesce(c.ResourceId, '(no resource id)') AS r,
               coalesce(c.UsageType, c.ChargeDescription, '(unknown)') AS u,
               coalesce(c.SubAccountName, c.SubAccountId, '') AS a,
               coalesce(c.RegionId, c.RegionName, '') AS g,
               sum(CASE WHEN c.ChargePeriodStart >= ? THEN c.{column} ELSE 0 END) AS during,
               sum(CASE WHEN c.ChargePeriodStart < ? THEN c.{column} ELSE 0 END) AS before
        FROM charges c
        WHERE {where} AND {clause} AND {USAGE_ONLY}
        GROUP BY r, u, a, g
        ORDER BY during / {event_days} - before / 28 DESC
        LIMIT ?
        """,
        [
            _ts(event.start),
            _ts(event.start),
            *params,
            *clause_params,
            limit,
        ],
    )
    out = []
    for r, u, a, g, during, before in rows:
        actual = float(during or Decimal(0))
        expected = float(before or Decimal(0)) / 28 * event_days
        if actual - expected > 0:
            out.append(Contributor(r, u, a, g, actual, expected))
    return out


def _ts(day: date) -> datetime:
    return datetime.combine(day, time())
