"""The audit log: append-only records in a hash chain, so edits, deletions and insertions show.

Every record carries `prev_hash`, the hash of the record before it (64 zeros for the first), and
its own `hash`: SHA-256 over a canonical JSON of (at as ISO UTC, kind, actor, approval_id,
subject, detail, prev_hash), or HMAC-SHA256 when `audit.key` is set, so that someone who can
write the database but does not hold the key cannot rebuild the chain after editing it.
`AuditLog.verify` walks the chain in id order and names the first record that does not match
its hash (edited) or does not follow the record before it (one deleted or inserted). Records
deleted from the end leave no gap: the export (`store/audit_export.py`) is the copy for that.

The chain is one per database. A UNIQUE index on `prev_hash` keeps it from forking when several
processes append at once: of two appenders that read the same head, the second fails with
IntegrityError and re-runs its transaction (`retry_on_fork`) on the new head.

A record may carry an `idem_key` (unique; `record_key` derives one from a turn's key): an append
whose key is already on the log writes nothing, so a chat turn run again after its worker was
killed does not put its `question` or `refused` records on the record twice. The key is looked
up after the head is read (under the PostgreSQL append lock), and the unique index settles a race
on SQLite the way the one on `prev_hash` does. A record's key is in its hash (only when it has
one, so records without keep their hashes): a key moved onto an older record, to silence a later
one, shows on `verify`.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import json
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.audit import AuditSettings
from store.audit_export import AuditSink, sink_for
from store.db import Store
from store.models import AuditRow

log = logging.getLogger("cloudpilot.audit")

GENESIS = "0" * 64
# Rows per read when walking the chain: verify never holds the whole log in memory.
_BATCH = 500
_EXPORTS = "cloudpilot.audit.exports"
# pg_advisory_xact_lock key for appends: any fixed bigint no other code in the database uses.
_PG_APPEND_LOCK = int.from_bytes(hashlib.sha256(b"cloudpilot.audit_log").digest()[:8], "big", signed=True)

T = TypeVar("T")


class AuditRecord(BaseModel):
    id: int
    at: datetime
    kind: str
    actor: str
    approval_id: str | None
    subject: str
    detail: dict[str, Any]
    prev_hash: str = ""
    hash: str = ""
    idem_key: str | None = None


class ChainReport(BaseModel):
    """What `AuditLog.verify` found. `checked` counts the records found intact before the first
    broken one (all of them when `ok`)."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str = ""
    # The last record's hash: written down elsewhere, it shows a later truncation of the chain.
    head_hash: str | None = None


def utc(at: datetime) -> datetime:
    # SQLite returns naive datetimes (the UTC wall time we stored); PostgreSQL returns aware ones
    # in the session's time zone. Both must hash the same.
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def jsonable(detail: dict[str, Any]) -> dict[str, Any]:
    """`detail` as the JSON column will give it back (tuples as lists, keys as strings), so the
    hash computed on write is the hash computed on read."""
    out: dict[str, Any] = json.loads(json.dumps(detail, default=str))
    return out


def chain_hash(
    key: bytes | None,
    *,
    at: datetime,
    kind: str,
    actor: str,
    approval_id: str | None,
    subject: str,
    detail: dict[str, Any],
    prev_hash: str,
    idem_key: str | None = None,
) -> str:
    fields: dict[str, Any] = {
        "at": utc(at).isoformat(timespec="microseconds"),
        "kind": kind,
        "actor": actor,
        "approval_id": approval_id,
        "subject": subject,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    if idem_key is not None:
        # Only when set: every record written before keys existed keeps the hash it has.
        fields["idem_key"] = idem_key
    canonical = json.dumps(
        fields,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    ).encode()
    if key is not None:
        return hmac.new(key, canonical, hashlib.sha256).hexdigest()
    return hashlib.sha256(canonical).hexdigest()


def record_key(scope: str, kind: str, *parts: object) -> str:
    """The `idem_key` of the record of `kind` that the work identified by `scope` (a turn's key)
    writes, `parts` telling apart several of one kind (a step and a call index). Readable when it
    fits the column, else hashed."""
    key = ":".join([scope, kind, *(str(p) for p in parts)])
    if len(key) <= 255:
        return key
    return f"sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def is_fork(exc: IntegrityError) -> bool:
    """True when `exc` is a unique index of the log refusing what another appender committed
    first: a second link to one head (`prev_hash`), or a second record under one `idem_key`
    (the message names the column on SQLite and the index on PostgreSQL). A re-run sees it."""
    said = str(exc.orig)
    return "prev_hash" in said or "idem_key" in said


def retry_on_fork(fn: Callable[[], T], attempts: int = 10) -> T:
    """Run `fn` — one whole transaction that calls `AuditLog.append` — again when another process
    appended first. Each retry re-reads the head; any other error passes straight through."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except IntegrityError as exc:
            if attempt == attempts or not is_fork(exc):
                raise
            # Growing, jittered pauses, so the losers of one race do not collide again on the next head.
            time.sleep(random.uniform(0, min(0.1, 0.002 * 2**attempt)))
    raise AssertionError("unreachable")


class AuditLog:
    """Append-only, hash-chained record of requests, decisions, executions and suppressions."""

    def __init__(self, store: Store, key: bytes | None = None, *, sink: AuditSink | None = None) -> None:
        self._store = store
        self._key = key
        self._sink = sink

    @classmethod
    def from_settings(cls, store: Store, settings: AuditSettings) -> AuditLog:
        return cls(store, key=settings.key_bytes(), sink=sink_for(settings))

    def record(
        self,
        kind: str,
        actor: str,
        at: datetime,
        *,
        approval_id: str | None = None,
        subject: str = "",
        detail: dict[str, Any] | None = None,
        idem_key: str | None = None,
    ) -> bool:
        """Append one record in its own transaction (retried on a fork). False when `idem_key`
        is already on the log, and nothing was written."""

        def write() -> bool:
            with self._store.session() as s:
                return self.append(
                    s,
                    kind,
                    actor,
                    at,
                    approval_id=approval_id,
                    subject=subject,
                    detail=detail,
                    idem_key=idem_key,
                )

        return retry_on_fork(write)

    def append(
        self,
        session: Session,
        kind: str,
        actor: str,
        at: datetime,
        *,
        approval_id: str | None = None,
        subject: str = "",
        detail: dict[str, Any] | None = None,
        idem_key: str | None = None,
    ) -> bool:
        """Append one record inside the caller's transaction, so that it commits (and is exported)
        together with whatever else the transaction does, or not at all. With `idem_key`, only
        if no record has that key yet: returns False, and writes nothing, when one has.

        Raises `sqlalchemy.exc.IntegrityError` when another process appended to the same head
        (or under the same key) first; the caller's transaction is then spoiled, so run the whole
        of it under `retry_on_fork`."""
        prev_hash = self._head(session)
        # After the head: on PostgreSQL the append lock is held now, so a record under this key
        # committed by anyone is seen here.
        taken = select(AuditRow.id).where(AuditRow.idem_key == idem_key)
        if idem_key is not None and session.scalar(taken) is not None:
            return False
        at = utc(at)
        clean = jsonable(detail or {})
        digest = chain_hash(
            self._key,
            at=at,
            kind=kind,
            actor=actor,
            approval_id=approval_id,
            subject=subject,
            detail=clean,
            prev_hash=prev_hash,
            idem_key=idem_key,
        )
        row = AuditRow(
            at=at,
            kind=kind,
            actor=actor,
            approval_id=approval_id,
            subject=subject,
            detail=clean,
            prev_hash=prev_hash,
            hash=digest,
            idem_key=idem_key,
        )
        session.add(row)
        # The fork shows here, inside append, rather than at some later flush of the caller's.
        session.flush()
        if self._sink is not None:
            _export_after_commit(session, self._sink, _to_record(row).model_dump(mode="json"))
        return True

    def list(
        self,
        approval_id: str | None = None,
        *,
        kind: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        limit: int = 50,
        before_id: int | None = None,
        newest_first: bool = True,
    ) -> builtins.list[AuditRecord]:
        """The newest `limit` records that match (with ids below `before_id`, for the next page),
        newest first, or in the order they were written."""
        q = select(AuditRow)
        if approval_id:
            q = q.where(AuditRow.approval_id == approval_id)
        if kind:
            q = q.where(AuditRow.kind == kind)
        if actor:
            q = q.where(AuditRow.actor == actor)
        if since is not None:
            q = q.where(AuditRow.at >= utc(since))
        if before_id is not None:
            q = q.where(AuditRow.id < before_id)
        with self._store.session() as s:
            rows = s.scalars(q.order_by(AuditRow.id.desc()).limit(limit)).all()
            records = [_to_record(r) for r in rows]
        return records if newest_first else records[::-1]

    def verify(self) -> ChainReport:
        """Walk the whole chain in id order, a batch at a time; report the first broken link."""
        with self._store.session() as s:
            self._head(s)  # seals the records from before the chain, if there are any
        expected_prev, prev_id, checked = GENESIS, None, 0
        after: int | None = None  # no lower bound: a record forged with id 0 or below counts too
        while True:
            q = select(AuditRow).order_by(AuditRow.id).limit(_BATCH)
            if after is not None:
                q = q.where(AuditRow.id > after)
            with self._store.session() as s:
                batch = [_to_record(r) for r in s.scalars(q).all()]
            if not batch:
                break
            for r in batch:
                if r.hash != self._hash_of(r):
                    return _broken(
                        checked,
                        r.id,
                        f"record {r.id} does not match its hash: it was changed after it was written, "
                        "or written outside CloudPilot",
                    )
                if r.prev_hash != expected_prev:
                    where = (
                        f"does not follow record {prev_id}"
                        if prev_id is not None
                        else "does not start the chain"
                    )
                    return _broken(
                        checked,
                        r.id,
                        f"record {r.id} {where}: a record before it was deleted, or it was inserted",
                    )
                expected_prev, prev_id, checked = r.hash, r.id, checked + 1
            after = batch[-1].id
        return ChainReport(ok=True, checked=checked, head_hash=expected_prev if checked else None)

    # -- internals -------------------------------------------------------------------------
    def _hash_of(self, r: AuditRecord) -> str:
        return chain_hash(
            self._key,
            at=r.at,
            kind=r.kind,
            actor=r.actor,
            approval_id=r.approval_id,
            subject=r.subject,
            detail=r.detail,
            prev_hash=r.prev_hash,
            idem_key=r.idem_key,
        )

    def _head(self, s: Session) -> str:
        if s.get_bind().dialect.name == "postgresql":
            # Appenders queue here until the holder's transaction ends, instead of all but one
            # failing on the unique index and starting over. The index remains the guarantee.
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_APPEND_LOCK})
        head = s.execute(select(AuditRow.id, AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)).first()
        if head is None:
            return GENESIS
        if head.hash is None:
            return self._seal_legacy(s)
        return str(head.hash)

    def _seal_legacy(self, s: Session) -> str:
        """Chain the records written before the log had one (store/db.py added their columns),
        once, in id order, in the caller's transaction. Returns the head's hash."""
        prev = s.scalars(
            select(AuditRow.hash).where(AuditRow.hash.is_not(None)).order_by(AuditRow.id.desc()).limit(1)
        ).first()
        prev = prev or GENESIS
        after: int | None = None
        while True:
            q = select(AuditRow).where(AuditRow.hash.is_(None)).order_by(AuditRow.id).limit(_BATCH)
            if after is not None:
                q = q.where(AuditRow.id > after)
            rows = s.scalars(q).all()
            if not rows:
                return prev
            for row in rows:
                raw: Any = row.detail
                clean = jsonable(raw if isinstance(raw, dict) else {} if raw is None else {"value": raw})
                digest = chain_hash(
                    self._key,
                    at=row.at,
                    kind=row.kind,
                    actor=row.actor,
                    approval_id=row.approval_id,
                    subject=row.subject or "",
                    detail=clean,
                    prev_hash=prev,
                    idem_key=row.idem_key,
                )
                # Conditional, so two processes sealing at once write the same chain once.
                s.execute(
                    update(AuditRow)
                    .where(AuditRow.id == row.id, AuditRow.hash.is_(None))
                    .values(prev_hash=prev, hash=digest, detail=clean, subject=row.subject or "")
                    .execution_options(synchronize_session=False)
                )
                prev, after = digest, row.id


def _broken(checked: int, record_id: int, reason: str) -> ChainReport:
    return ChainReport(ok=False, checked=checked, first_broken_id=record_id, reason=reason)


def _to_record(r: AuditRow) -> AuditRecord:
    return AuditRecord(
        id=r.id,
        at=utc(r.at),
        kind=r.kind,
        actor=r.actor,
        approval_id=r.approval_id,
        subject=r.subject,
        detail=r.detail,
        prev_hash=r.prev_hash or "",
        hash=r.hash or "",
        idem_key=r.idem_key,
    )


def _export_after_commit(session: Session, sink: AuditSink, record: dict[str, Any]) -> None:
    # Exported only once the transaction commits: a rolled-back append (a fork, a failed
    # transition) must not appear outside the database either.
    pending: builtins.list[tuple[AuditSink, dict[str, Any]]] | None = session.info.get(_EXPORTS)
    if pending is None:
        pending = session.info[_EXPORTS] = []
        event.listen(session, "after_commit", _flush_exports)
        event.listen(session, "after_rollback", _drop_exports)
    pending.append((sink, record))


def _flush_exports(session: Session) -> None:
    pending = session.info.get(_EXPORTS) or []
    session.info[_EXPORTS] = []
    for sink, record in pending:
        sink.emit(record)


def _drop_exports(session: Session) -> None:
    session.info[_EXPORTS] = []
