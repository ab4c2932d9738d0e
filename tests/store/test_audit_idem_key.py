"""Keyed audit records (`idem_key`): an append under a key already on the log writes nothing, also
when several appenders race with one key; the chain stays valid and the key is covered by the
record's hash; a table from before keys gets the column and index and keeps its hashes. SQLite
and PostgreSQL (each test in its own schema)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from store import Store
from store.audit import AuditLog, record_key
from tests.services import pg_schema, sqlalchemy_url
from tests.store.audit_helpers import T0, fill, rows, sql


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'audit.db'}"
        return
    with pg_schema("cp_idem") as url:
        yield sqlalchemy_url(url)


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    s = Store(url)
    yield s
    s.close()


def test_a_key_is_written_once(store: Store) -> None:
    log = AuditLog(store, key=b"k")
    fill(log, 3)
    key = record_key("slack:msg:C1:1.2", "question")
    assert log.record("question", "alice", T0, subject="scan", detail={"n": 1}, idem_key=key)
    assert not log.record("question", "alice", T0, subject="scan", detail={"n": 2}, idem_key=key)
    fill(log, 2, start=3)
    assert log.record("question", "alice", T0, subject="scan", idem_key=record_key("slack:other", "question"))
    # Unkeyed records are never held back, however alike.
    assert log.record("question", "alice", T0) and log.record("question", "alice", T0)
    written = rows(store)
    assert len(written) == 9
    [kept] = [r for r in written if r["idem_key"] == key]
    assert kept["detail"] in ({"n": 1}, '{"n": 1}')  # the first one, untouched
    report = log.verify()
    assert report.ok and report.checked == 9, report.reason


def test_racing_appenders_with_one_key_write_it_once(store: Store) -> None:
    log = AuditLog(store, key=b"k")
    errors: list[BaseException] = []
    wrote: list[bool] = []

    def worker(w: int) -> None:
        try:
            for i in range(6):
                # The same keyed record from every worker (one job run by several), between unkeyed ones.
                wrote.append(log.record("refused", "alice", T0, idem_key=record_key("t", "refused", 1, i)))
                log.record("execution", f"worker-{w}", T0, subject=f"{w}-{i}")
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert wrote.count(True) == 6
    keyed = [r["idem_key"] for r in rows(store) if r["idem_key"] is not None]
    assert sorted(keyed) == sorted(record_key("t", "refused", 1, i) for i in range(6))
    report = log.verify()
    assert report.ok and report.checked == 6 + 24, report.reason


def test_a_key_moved_onto_another_record_shows(store: Store) -> None:
    """Moving a key onto an older record would silence the keyed record still to come: the key is
    in the hash, so the edit is found."""
    log = AuditLog(store, key=b"k")
    fill(log, 3)
    log.record("question", "alice", T0, idem_key="a:question")
    sql(store, "UPDATE audit_log SET idem_key = 'b:question' WHERE id = 2")
    assert log.verify().first_broken_id == 2
    sql(store, "UPDATE audit_log SET idem_key = NULL WHERE id = 2")
    sql(store, "UPDATE audit_log SET idem_key = 'b:question' WHERE id = 4")
    assert log.verify().first_broken_id == 4


def test_long_keys_are_hashed_to_fit() -> None:
    short = record_key("slack:msg:C1:1.2", "access_refused", 1, 0, "ab12")
    assert short == "slack:msg:C1:1.2:access_refused:1:0:ab12"
    long = record_key("x" * 250, "question")
    assert len(long) <= 255 and long.startswith("sha256:") and long != record_key("x" * 251, "question")


def test_a_table_from_before_keys_is_upgraded_and_keeps_its_hashes(url: str) -> None:
    old = Store(url)
    log = AuditLog(old, key=b"k")
    fill(log, 5)
    before = [(r["id"], r["hash"]) for r in rows(old)]
    # The table as the release before keyed records made it.
    sql(old, "DROP INDEX uq_audit_log_idem_key")
    sql(old, "ALTER TABLE audit_log DROP COLUMN idem_key")
    assert "idem_key" not in {c["name"] for c in inspect(old.engine).get_columns("audit_log")}
    old.close()

    for _ in range(2):  # and idempotent: nothing to add the second time
        store = Store(url)
        insp = inspect(store.engine)
        assert "idem_key" in {c["name"] for c in insp.get_columns("audit_log")}
        assert "uq_audit_log_idem_key" in {i["name"] for i in insp.get_indexes("audit_log")}
        store.close()
    store = Store(url)
    log = AuditLog(store, key=b"k")
    assert [(r["id"], r["hash"]) for r in rows(store)] == before
    assert log.record("question", "alice", T0, idem_key="k1")
    assert not log.record("question", "alice", T0, idem_key="k1")
    report = log.verify()
    assert report.ok and report.checked == 6, report.reason
    store.close()
