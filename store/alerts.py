"""Alert occurrences: each (alert, key) is posted once, across processes, replicas and restarts.

A sender first claims the occurrence (an INSERT on the primary key: one caller wins), posts it,
then marks it `sent`. A failed post is marked `failed` and may be claimed again by a later run; a
claim left `sending` by a process that died is taken over once it is older than the lease, or at
once by its own `owner` (the queued job that claimed it, run again after its worker was killed).
The one case that can post twice is a crash between the post and its `sent` mark; a webhook
delivery carries a stable id for the receiver to drop the repeat.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from store.db import Store
from store.models import AlertEventRow

SENDING = "sending"
SENT = "sent"
FAILED = "failed"
# A lower budget threshold passed together with a higher one: recorded, not posted on its own.
COVERED = "covered"
DEFAULT_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class AlertOccurrence:
    alert: str
    key: str
    status: str
    claimed_at: datetime
    sent_at: datetime | None
    attempts: int
    title: str
    detail: str


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class AlertLog:
    def __init__(self, store: Store, lease: timedelta = DEFAULT_LEASE) -> None:
        self._store = store
        self.lease = lease

    def claim(self, alert: str, key: str, now: datetime, title: str = "", owner: str | None = None) -> bool:
        """True for the one caller that gets to post this occurrence now. `owner` names the
        claimant (a queued job's id): while `sending`, the row's `detail` holds it, so the same
        job run again after a crash takes its claim back without waiting for the lease."""
        now = _utc(now)
        try:
            with self._store.session() as s:
                s.add(
                    AlertEventRow(
                        alert=alert,
                        key=key,
                        status=SENDING,
                        claimed_at=now,
                        attempts=1,
                        title=title,
                        detail=owner or "",
                    )
                )
            return True
        except IntegrityError:
            pass
        sending = AlertEventRow.status == SENDING
        abandoned = sending & (AlertEventRow.claimed_at < now - self.lease)
        takeover = or_(AlertEventRow.status == FAILED, abandoned)
        if owner:
            takeover = or_(takeover, sending & (AlertEventRow.detail == owner))
        with self._store.session() as s:
            taken = s.execute(
                update(AlertEventRow)
                .where(AlertEventRow.alert == alert, AlertEventRow.key == key, takeover)
                .values(
                    status=SENDING, claimed_at=now, attempts=AlertEventRow.attempts + 1, detail=owner or ""
                )
            )
            return bool(getattr(taken, "rowcount", 0) == 1)

    def seen(self, alert: str, key: str) -> bool:
        """Whether the occurrence was posted, is being posted, or was covered by a higher one."""
        with self._store.session() as s:
            status = s.scalar(
                select(AlertEventRow.status).where(AlertEventRow.alert == alert, AlertEventRow.key == key)
            )
        return status is not None and status != FAILED

    def finish(self, alert: str, key: str, now: datetime, *, ok: bool, detail: str = "") -> None:
        with self._store.session() as s:
            s.execute(
                update(AlertEventRow)
                .where(AlertEventRow.alert == alert, AlertEventRow.key == key)
                .values(
                    status=SENT if ok else FAILED,
                    sent_at=_utc(now) if ok else None,
                    detail=detail[:2000],
                )
            )

    def cover(self, alert: str, keys: Iterable[str], now: datetime, by: str) -> None:
        """Record occurrences that a posted one stands for (lower thresholds), so they never post."""
        for key in keys:
            try:
                with self._store.session() as s:
                    s.add(
                        AlertEventRow(
                            alert=alert, key=key, status=COVERED, claimed_at=_utc(now), attempts=0, detail=by
                        )
                    )
            except IntegrityError:
                continue

    def release(self, alert: str, keys: Iterable[str]) -> int:
        """Forget posted occurrences that ended (a resolved finding), so they alert if they recur."""
        wanted = list(keys)
        if not wanted:
            return 0
        with self._store.session() as s:
            gone = s.execute(
                delete(AlertEventRow).where(
                    AlertEventRow.alert == alert,
                    AlertEventRow.key.in_(wanted),
                    AlertEventRow.status.in_([SENT, COVERED]),
                )
            )
            return int(getattr(gone, "rowcount", 0) or 0)

    def keys(self, alert: str) -> set[str]:
        with self._store.session() as s:
            return set(s.scalars(select(AlertEventRow.key).where(AlertEventRow.alert == alert)))

    def recent(self, alert: str | None = None, limit: int = 20) -> list[AlertOccurrence]:
        query = select(AlertEventRow).order_by(AlertEventRow.claimed_at.desc()).limit(limit)
        if alert is not None:
            query = query.where(AlertEventRow.alert == alert)
        with self._store.session() as s:
            return [
                AlertOccurrence(
                    r.alert,
                    r.key,
                    r.status,
                    _utc(r.claimed_at),
                    _utc(r.sent_at) if r.sent_at else None,
                    r.attempts,
                    r.title,
                    r.detail,
                )
                for r in s.scalars(query)
            ]
