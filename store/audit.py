from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from store.db import Store
from store.models import AuditRow


class AuditRecord(BaseModel):
    id: int
    at: datetime
    kind: str
    actor: str
    approval_id: str | None
    subject: str
    detail: dict[str, Any]


class AuditLog:
    """Append-only record of requests, decisions, executions and suppressions."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def record(
        self,
        kind: str,
        actor: str,
        at: datetime,
        *,
        approval_id: str | None = None,
        subject: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        with self._store.session() as s:
            s.add(
                AuditRow(
                    at=at,
                    kind=kind,
                    actor=actor,
                    approval_id=approval_id,
                    subject=subject,
                    detail=detail or {},
                )
            )

    def list(self, approval_id: str | None = None, limit: int = 200) -> list[AuditRecord]:
        with self._store.session() as s:
            q = select(AuditRow).order_by(AuditRow.id)
            if approval_id:
                q = q.where(AuditRow.approval_id == approval_id)
            rows = s.scalars(q.limit(limit)).all()
            return [
                AuditRecord(
                    id=r.id,
                    at=r.at,
                    kind=r.kind,
                    actor=r.actor,
                    approval_id=r.approval_id,
                    subject=r.subject,
                    detail=r.detail,
                )
                for r in rows
            ]
