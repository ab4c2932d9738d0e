"""The audit chain on PostgreSQL: concurrent appends never fork it, tampering is found, an old
table is migrated. Each test works in its own schema, so other tests' audit rows stay apart."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from store import Store
from store.audit import GENESIS, AuditLog, is_fork
from tests.services import postgres_url
from tests.store.audit_helpers import T0, fill, rebuild_chain, rows, sql

pytestmark = pytest.mark.postgres

PG = postgres_url().replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def schema_url() -> Iterator[str]:
    schema = f"audit_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG else "?"
    yield f"{PG}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as c:
        c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def store(schema_url: str) -> Iterator[Store]:
    s = Store(schema_url)
    yield s
    s.close()


def test_concurrent_appends_never_fork(store: Store) -> None:
    log = AuditLog(store, key=b"pg-key")
    errors: list[BaseException] = []

    def worker(w: int) -> None:
        try:
            for i in range(15):
                log.record("execution", f"worker-{w}", T0, subject=f"{w}-{i}", detail={"i": i})
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = log.verify()
    assert report.ok and report.checked == 75, report.reason
    # PostgreSQL hands timestamps back in the session's zone: the hash must not care.
    assert log.list(limit=1)[0].at.utcoffset() is not None


def test_tampering_is_found(store: Store) -> None:
    log = AuditLog(store, key=b"pg-key")
    fill(log, 12)
    assert log.verify().ok
    sql(store, "UPDATE audit_log SET actor = 'mallory' WHERE id = 9")
    assert log.verify().first_broken_id == 9
    rebuild_chain(store, None)  # without the key
    assert log.verify().first_broken_id == 1
    rebuild_chain(store, b"pg-key")
    sql(store, "DELETE FROM audit_log WHERE id = 5")
    report = log.verify()
    assert report.first_broken_id == 6 and "does not follow record 4" in report.reason


def test_an_old_table_is_migrated(schema_url: str) -> None:
    engine = create_engine(schema_url)
    with engine.begin() as c:
        c.execute(
            text(
                "CREATE TABLE audit_log (id SERIAL PRIMARY KEY, at TIMESTAMPTZ, kind VARCHAR(32), "
                "actor VARCHAR(255), approval_id VARCHAR(32), subject VARCHAR(512), detail JSON)"
            )
        )
        for _ in range(3):
            c.execute(
                text(
                    "INSERT INTO audit_log (at, kind, actor, approval_id, subject, detail) "
                    "VALUES (:at, 'decision', 'bob', 'ap-1', 'x', '{\"n\": 1}')"
                ),
                {"at": T0},
            )
    engine.dispose()
    store = Store(schema_url)
    Store(schema_url).close()  # a second start finds nothing to do
    log = AuditLog(store)
    log.record("execution", "bob", T0)
    chain = rows(store)
    assert chain[0]["prev_hash"] == GENESIS and chain[3]["prev_hash"] == chain[2]["hash"]
    assert log.verify().checked == 4
    store.close()


def test_the_unique_index_refuses_a_fork(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Appenders queue on an advisory lock; should one still read a stale head, the index holds."""
    log = AuditLog(store)
    log.record("request", "alice", T0)
    monkeypatch.setattr(AuditLog, "_head", lambda self, s: GENESIS)
    with pytest.raises(IntegrityError) as caught, store.session() as s:
        log.append(s, "decision", "bob", T0)
    assert is_fork(caught.value)
    monkeypatch.undo()
    assert AuditLog(store).verify().checked == 1
