"""Digest runs: which scheduled slot of which digest ran, claimed exactly once across processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from store.db import Store
from store.models import DigestRunRow


@dataclass(frozen=True)
class DigestRun:
    name: str
    slot: datetime
    started_at: datetime
    finished_at: datetime | None
    status: str
    detail: str


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class DigestRuns:
    def __init__(self, store: Store) -> None:
        self._store = store

    def claim(self, name: str, slot: datetime, now: datetime) -> bool:
        """True for the one caller that gets to run this slot; False when it is taken already."""
        try:
            with self._store.session() as s:
                s.add(
                    DigestRunRow(
                        name=name, slot=_utc(slot), started_at=_utc(now), status="running", detail=""
                    )
                )
        except IntegrityError:
            return False
        return True

    def finish(self, name: str, slot: datetime, now: datetime, *, ok: bool, detail: str) -> None:
        with self._store.session() as s:
            s.execute(
                update(DigestRunRow)
                .where(DigestRunRow.name == name, DigestRunRow.slot == _utc(slot))
                .values(finished_at=_utc(now), status="posted" if ok else "failed", detail=detail[:2000])
            )

    def recent(self, name: str, limit: int = 10) -> list[DigestRun]:
        with self._store.session() as s:
            rows = s.scalars(
                select(DigestRunRow)
                .where(DigestRunRow.name == name)
                .order_by(DigestRunRow.slot.desc())
                .limit(limit)
            )
            return [
                DigestRun(
                    r.name,
                    _utc(r.slot),
                    _utc(r.started_at),
                    _utc(r.finished_at) if r.finished_at else None,
                    r.status,
                    r.detail,
                )
                for r in rows
            ]
