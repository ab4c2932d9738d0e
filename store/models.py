from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ApprovalRow(Base):
    __tablename__ = "approvals"
    # A turn run again (its worker was killed, its job retried) finds the request it made the first
    # time instead of making another. NULLs never collide: requests without a key stay unkeyed.
    # An index rather than a constraint, so store/db.py can add it to an existing table.
    __table_args__ = (Index("uq_approvals_turn_call", "turn_key", "call_index", unique=True),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    requester: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(255), default="")
    tool: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(512))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Where the chat front-end posted the approval request, so it can update it later.
    message_ref: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The identity of the turn that asked (the chat event a job answers, scoped by platform) and
    # which of its changes this is: at most one request per (turn_key, call_index).
    turn_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    call_index: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AuditRow(Base):
    """One audit record, chained to the one before it (store/audit.py)."""

    __tablename__ = "audit_log"
    # Two appenders that read the same head cannot both commit: the chain never forks. An index
    # rather than a constraint, so store/db.py can add the same object to an existing table.
    # The second makes a keyed record (a turn run again after its worker was killed) written once;
    # NULLs never collide, so unkeyed records are unaffected.
    __table_args__ = (
        Index("uq_audit_log_prev_hash", "prev_hash", unique=True),
        Index("uq_audit_log_idem_key", "idem_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(255))
    approval_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    subject: Mapped[str] = mapped_column(String(512), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    idem_key: Mapped[str | None] = mapped_column(String(255), nullable=True)


class ScanRow(Base):
    __tablename__ = "scans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    account: Mapped[str] = mapped_column(String(64), default="")
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    resources_scanned: Mapped[int] = mapped_column(Integer, default=0)
    findings_open: Mapped[int] = mapped_column(Integer, default=0)


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_rule_resource", "rule_id", "resource_id"),)

    # Stable fingerprint of (account, region, rule, resource): the same problem keeps its id.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(255))
    severity: Mapped[str] = mapped_column(String(16), index=True)
    service: Mapped[str] = mapped_column(String(32), index=True)
    account: Mapped[str] = mapped_column(String(64), default="")
    region: Mapped[str] = mapped_column(String(32), default="")
    resource_id: Mapped[str] = mapped_column(String(512))
    resource_type: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    remediation_action: Mapped[str | None] = mapped_column(String(64), nullable=True)
    remediation_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_scan_id: Mapped[str] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    suppressed_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    suppressed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DigestRunRow(Base):
    """One scheduled run of a digest; the primary key makes each slot run once across processes."""

    __tablename__ = "digest_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # running, posted, failed
    detail: Mapped[str] = mapped_column(Text, default="")


class AlertEventRow(Base):
    """One occurrence of an alert (a budget threshold in a month, an anomaly, a new finding); the
    primary key makes each occurrence post once across processes and restarts."""

    __tablename__ = "alert_events"

    alert: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # sending, sent, failed, covered
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")
