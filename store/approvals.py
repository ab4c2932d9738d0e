"""Approval requests and their state machine.

pending -> approved -> executing -> executed | failed | unknown
approved -> stale                 (the plan computed again differs from the approved one)
unknown -> executed | failed      (the reconciler could not tell at first; it keeps checking)
pending -> rejected | expired

Every transition is a conditional UPDATE, so two approvers (or two processes) racing on the
same request can never both win; and it commits in one transaction with its audit record, so a
crash can never leave a transition without its record (or a record without its transition).
"""

from __future__ import annotations

import builtins
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.clock import as_utc
from store.audit import AuditLog, retry_on_fork
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
    # Executing when a process died and the cloud could not (yet) say whether the change happened.
    UNKNOWN = "unknown"
    # Approved, but the resource changed since the plan was shown: not executed.
    STALE = "stale"
    # Taken back by its requester before anyone decided.
    WITHDRAWN = "withdrawn"


# Where a request ended: the reconciler leaves these alone.
FINAL_STATUSES = frozenset(
    {
        ApprovalStatus.REJECTED,
        ApprovalStatus.EXPIRED,
        ApprovalStatus.EXECUTED,
        ApprovalStatus.FAILED,
        ApprovalStatus.STALE,
        ApprovalStatus.WITHDRAWN,
    }
)


@dataclass(frozen=True)
class AuditEntry:
    """The audit record that commits together with a transition."""

    kind: str
    actor: str
    at: datetime
    subject: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def plan_digest(plan: dict[str, Any]) -> str:
    """The hash an approval binds to: what the approver saw, in a canonical form."""
    canonical = json.dumps(plan, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    # Set when the request was made by a keyed turn: (turn_key, call_index) is unique.
    turn_key: str | None = None
    call_index: int | None = None

    def is_expired(self, now: datetime) -> bool:
        return as_utc(now) >= as_utc(self.expires_at)


def _copy(row: ApprovalRow) -> ApprovalRow:
    # A retried transaction needs a fresh, unattached row object.
    return ApprovalRow(**{c.key: getattr(row, c.key) for c in ApprovalRow.__table__.columns})


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
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        decided_by=row.decided_by,
        decided_at=as_utc(row.decided_at) if row.decided_at else None,
        result=row.result,
        message_ref=row.message_ref,
        turn_key=row.turn_key,
        call_index=row.call_index,
    )


class ApprovalStore:
    def __init__(self, store: Store, audit: AuditLog | None = None) -> None:
        self._store = store
        self.audit = audit if audit is not None else AuditLog(store)

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
        record: AuditEntry | None = None,
        turn_key: str | None = None,
        call_index: int = 0,
    ) -> Approval:
        """Store a pending request with `record` in the same transaction. With `turn_key`, the
        request is the one of (turn_key, call_index): when that turn already made it (the turn ran
        again after a crash, or twice at once), the stored one is returned and nothing is written,
        so neither the request nor its audit record exists twice."""
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
            turn_key=turn_key,
            call_index=call_index if turn_key is not None else None,
        )
        new_id = row.id

        def write() -> None:
            with self._store.session() as s:
                s.add(_copy(row))
                if record is not None:
                    self._append(s, new_id, record)

        try:
            retry_on_fork(write)
        except IntegrityError:
            earlier = self.by_turn(turn_key, call_index) if turn_key is not None else None
            if earlier is None:
                raise
            return earlier
        return _to_model(row)

    def by_turn(self, turn_key: str, call_index: int = 0) -> Approval | None:
        """The request a keyed turn made as its `call_index`-th change, if it made it."""
        with self._store.session() as s:
            keyed = (ApprovalRow.turn_key == turn_key) & (ApprovalRow.call_index == call_index)
            row = s.scalars(select(ApprovalRow).where(keyed)).first()
            return _to_model(row) if row else None

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
        *,
        record: AuditEntry | None = None,
        **fields: Any,
    ) -> bool:
        """Move from `expected` to `new` atomically, with `record` in the same transaction;
        False (and nothing written) if someone else moved it first."""

        def write() -> bool:
            with self._store.session() as s:
                res = s.execute(
                    update(ApprovalRow)
                    .where(ApprovalRow.id == approval_id, ApprovalRow.status == expected.value)
                    .values(status=new.value, **fields)
                )
                moved = bool(res.rowcount)  # type: ignore[attr-defined]
                if moved and record is not None:
                    self._append(s, approval_id, record)
                return moved

        return retry_on_fork(write)

    def record(self, approval_id: str, entry: AuditEntry) -> None:
        """An audit record about a request that is not a transition (e.g. an execution result)."""

        def write() -> None:
            with self._store.session() as s:
                self._append(s, approval_id, entry)

        retry_on_fork(write)

    def _append(self, s: Session, approval_id: str, entry: AuditEntry) -> None:
        self.audit.append(
            s,
            entry.kind,
            entry.actor,
            entry.at,
            approval_id=approval_id,
            subject=entry.subject,
            detail=entry.detail,
        )

    def latest(self, conversation_id: str) -> Approval | None:
        """The newest request made in a conversation ("that approval", "cancel it")."""
        with self._store.session() as s:
            q = (
                select(ApprovalRow)
                .where(ApprovalRow.conversation_id == conversation_id)
                .order_by(ApprovalRow.created_at.desc())
                .limit(1)
            )
            row = s.scalars(q).first()
            return _to_model(row) if row else None

    def in_status(
        self, statuses: frozenset[ApprovalStatus] | set[ApprovalStatus], limit: int = 500
    ) -> builtins.list[Approval]:
        """Requests in any of `statuses`, oldest first (what the reconciler works through)."""
        with self._store.session() as s:
            q = (
                select(ApprovalRow)
                .where(ApprovalRow.status.in_([x.value for x in statuses]))
                .order_by(ApprovalRow.created_at)
                .limit(limit)
            )
            return [_to_model(r) for r in s.scalars(q).all()]

    def set_message_ref(self, approval_id: str, ref: str) -> None:
        with self._store.session() as s:
            s.execute(update(ApprovalRow).where(ApprovalRow.id == approval_id).values(message_ref=ref))
