"""An approvals table from before keyed requests gets its turn key columns and their unique index
when a Store opens it (SQLite and PostgreSQL); old rows stay unkeyed, and a key is taken once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from store import Store
from store.approvals import ApprovalStore, AuditEntry
from tests.services import pg_schema, sqlalchemy_url

OLD_TABLE = """
CREATE TABLE approvals (
    id VARCHAR(32) PRIMARY KEY, conversation_id VARCHAR(255), requester VARCHAR(255),
    channel VARCHAR(255), tool VARCHAR(64), action VARCHAR(64), resource_id VARCHAR(512),
    args JSON, plan JSON, status VARCHAR(16), created_at TIMESTAMP, expires_at TIMESTAMP,
    decided_by VARCHAR(255), decided_at TIMESTAMP, result JSON, message_ref VARCHAR(255)
)
"""
OLD_ROW = (
    "INSERT INTO approvals VALUES ('ap-old', 'terminal:c:main', 'alice', 'c', 'change_thing', "
    "'change_thing', 'thing-1', '{}', '{}', 'pending', '2024-10-15 12:00:00', '2024-10-15 13:00:00', "
    "NULL, NULL, NULL, NULL)"
)


@contextmanager
def _pg_schema() -> Iterator[str]:
    with pg_schema("cp_mig") as url:
        yield sqlalchemy_url(url)


@contextmanager
def _database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
    else:
        with _pg_schema() as url:
            yield url


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_an_old_approvals_table_is_upgraded_and_keys_are_unique(kind: str, tmp_path: Path) -> None:
    with _database(kind, tmp_path) as url:
        old = create_engine(url)
        with old.begin() as conn:
            conn.execute(text(OLD_TABLE))
            conn.execute(text(OLD_ROW))
        old.dispose()
        stores = [Store(url), Store(url)]  # a second process opening it finds nothing left to do
        try:
            insp = inspect(stores[0].engine)
            assert {"turn_key", "call_index"} <= {c["name"] for c in insp.get_columns("approvals")}
            unique = [i for i in insp.get_indexes("approvals") if i["name"] == "uq_approvals_turn_call"]
            assert unique and unique[0]["unique"]
            approvals = ApprovalStore(stores[0])
            old_row = approvals.get("ap-old")
            assert old_row is not None and old_row.turn_key is None
            now = datetime(2024, 10, 15, 12, tzinfo=UTC)

            def create(conversation: str = "slack:C1:1.0") -> str:
                return approvals.create(
                    conversation_id=conversation,
                    requester="alice",
                    channel="C1",
                    tool="change_thing",
                    action="change_thing",
                    resource_id="thing-1",
                    args={},
                    plan={"summary": "x"},
                    now=now,
                    ttl=timedelta(hours=1),
                    record=AuditEntry("request", "alice", now),
                    turn_key="slack:msg:C1:1.0",
                    call_index=0,
                ).id

            first = create()
            assert create() == first  # the insert lost to the unique index: the stored one comes back
            assert [r.kind for r in approvals.audit.list(first)] == ["request"]  # its record once
            assert approvals.audit.verify().ok
        finally:
            for s in stores:
                s.close()
