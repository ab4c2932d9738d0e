"""Tampering with an audit log the way someone with database access would: raw SQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from store import Store
from store.audit import AuditLog, chain_hash

T0 = datetime(2024, 10, 15, 9, 0, 0, 123456, tzinfo=UTC)


def fill(log: AuditLog, n: int, start: int = 0) -> None:
    """`n` records of a few kinds, actors and approvals, a minute apart."""
    kinds = ["request", "refused", "decision", "execution", "verification"]
    for i in range(start, start + n):
        log.record(
            kinds[i % len(kinds)],
            ["alice", "bob", "carol"][i % 3],
            T0 + timedelta(minutes=i, microseconds=i),
            approval_id=f"ap-{i // 5:04d}",
            subject=f"revoke_ingress sg-{i:04d}",
            detail={"n": i, "decision": "approved"} if i % 5 == 2 else {"n": i},
        )


def rows(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as c:
        result = c.execute(text("SELECT * FROM audit_log ORDER BY id"))
        return [dict(r._mapping) for r in result]


def sql(store: Store, statement: str, **params: Any) -> None:
    with store.engine.begin() as c:
        c.execute(text(statement), params)


def insert(store: Store, **values: Any) -> None:
    values = {"approval_id": None, "subject": "", "detail": {}, **values}
    values["detail"] = json.dumps(values["detail"])
    cols = ", ".join(values)
    sql(store, f"INSERT INTO audit_log ({cols}) VALUES ({', '.join(':' + c for c in values)})", **values)


def forged_hash(key: bytes | None, prev_hash: str, at: datetime, **fields: Any) -> str:
    """What a forger computes for a record (SHA-256 is public; the HMAC key is not)."""
    return chain_hash(
        key,
        at=at,
        kind=fields["kind"],
        actor=fields["actor"],
        approval_id=fields.get("approval_id"),
        subject=fields.get("subject", ""),
        detail=fields.get("detail", {}),
        prev_hash=prev_hash,
    )


def rebuild_chain(store: Store, key: bytes | None) -> None:
    """Recompute every record's links with `key`, as a forger covering an edit would."""
    prev = "0" * 64
    for r in rows(store):
        detail = json.loads(r["detail"]) if isinstance(r["detail"], str) else r["detail"]
        at = r["at"] if isinstance(r["at"], datetime) else datetime.fromisoformat(r["at"])
        digest = forged_hash(
            key,
            prev,
            at,
            kind=r["kind"],
            actor=r["actor"],
            approval_id=r["approval_id"],
            subject=r["subject"],
            detail=detail,
        )
        # Two steps, so the unique index on prev_hash never sees two rows with the same value.
        sql(store, "UPDATE audit_log SET prev_hash = :p WHERE id = :id", p=f"tmp-{r['id']}", id=r["id"])
        relink = "UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :id"
        sql(store, relink, p=prev, h=digest, id=r["id"])
        prev = digest
