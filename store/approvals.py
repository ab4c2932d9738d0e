"""Approval requests and their state machine.

pending -> approved -> executing -> executed | failed
pending -> rejected | expired
Every transition is a conditional UPDATE, so two approvers (or two processes) racing on
the same request can never both win.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select, update

from store.db import Store
from store.models import ApprovalRow


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    EXECUTING = "executing"
    EXECUTED = "executed"
    FAILED = "failed"


class Approval(BaseModel):
    id: str
    conversation_id: str
    requester: str
    channel: str
    tool: str
    action: str
    resource_id: str
    args: dict[str, Any]
    plan: dict[str, Any]
    status: ApprovalStatus
    created_at: datetime
    expires_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    result: dict[str, Any] | None = None
    message_ref: str | None = None

    def is_expired(self, now: datetime) -> bool:
        return _aware(now) >= _aware(self.expires_at)


def _aware(dt: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone=True columns.
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _to_model(row: ApprovalRow) -> Approval:
    return Approval(
        id=row.id,
        conversation_id=row.conversation_id,
        requester=row.requester,
        channel=row.channel,
        tool=row.tool,
        action=row.action,
        resource_id=row.resource_id,
        args=row.args,
        plan=row.plan,
        status=ApprovalStatus(row.status),
        created_at=_aware(row.created_at),
        expires_at=_aware(row.expires_at),
        decided_by=row.decided_by,
        decided_at=_aware(row.decided_at) if row.decided_at else None,
        result=row.result,
        message_ref=row.message_ref,
    )


class ApprovalStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    def create(
        self,
        *,
        conversation_id: str,
        requester: str,
        channel: str,
        tool: str,
        action: str,
        resource_id: str,
        args: dict[str, Any],
        plan: dict[str, Any],
        now: datetime,
        ttl: timedelta,
        approval_id: str | None = None,
    ) -> Approval:
        row = ApprovalRow(
            id=approval_id or "ap-" + secrets.token_hex(6),
            conversation_id=conversation_id,
            requester=requester,
            channel=channel,
            tool=tool,
            action=action,
            resource_id=resource_id,
            args=args,
            plan=plan,
            status=ApprovalStatus.PENDING.value,
            created_at=now,
            expires_at=now + ttl,
        )
        with self._store.session() as s:
            s.add(row)
        return _to_model(row)

    def get(self, approval_id: str) -> Approval | None:
        with self._store.session() as s:
            row = s.get(ApprovalRow, approval_id)
            return _to_model(row) if row else None

    def list(self, status: ApprovalStatus | None = None, limit: int = 100) -> list[Approval]:
        with self._store.session() as s:
            q = select(ApprovalRow).order_by(ApprovalRow.created_at.desc())
            if status:
                q = q.where(ApprovalRow.status == status.value)
            return [_to_model(r) for r in s.scalars(q.limit(limit)).all()]

    def transition(
        self,
        approval_id: str,
        expected: ApprovalStatus,
        new: ApprovalStatus,
        **fields: Any,
    ) -> bool:
        """Move from `expected` to `new` atomically; False if someone else moved it first."""
        with self._store.session() as s:
            res = s.execute(
                update(ApprovalRow)
                .where(ApprovalRow.id == approval_id, ApprovalRow.status == expected.value)
                .values(status=new.value, **fields)
            )
            return bool(res.rowcount)  # type: ignore[attr-defined]

    def set_message_ref(self, approval_id: str, ref: str) -> None:
        with self._store.session() as s:
            s.execute(update(ApprovalRow).where(ApprovalRow.id == approval_id).values(message_ref=ref))
