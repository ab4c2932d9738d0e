"""The audit log's hash chain on a SQLite file: intact under concurrent appends, and every kind of
tampering with raw SQL (edit, delete, insert, a rebuilt chain) is found by `verify`."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import store.audit as audit_module
from config import AuditSettings, load_settings
from store import Store
from store.audit import GENESIS, AuditLog, is_fork, retry_on_fork
from store.audit_export import AuditExport, sink_for
from tests.store.audit_helpers import T0, fill, forged_hash, insert, rebuild_chain, rows, sql

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'audit.db'}")
    yield s
    s.close()


def test_empty_log_verifies() -> None:
    s = Store("sqlite://")
    report = AuditLog(s).verify()
    assert report.ok and report.checked == 0 and report.head_hash is None


def test_chain_intact_after_many_records_walked_in_batches(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_module, "_BATCH", 7)
    log = AuditLog(store)
    fill(log, 60)
    report = log.verify()
    assert report.ok, report.reason
    assert report.checked == 60 and report.first_broken_id is None
    chain = rows(store)
    assert chain[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(chain, chain[1:], strict=False))
    assert report.head_hash == chain[-1]["hash"]
    # Stored with microseconds, and hashed as the database gives them back.
    assert log.list(limit=1, newest_first=False)[0].at == T0 + timedelta(minutes=59, microseconds=59)


def test_timestamps_in_other_zones_hash_as_utc(store: Store) -> None:
    log = AuditLog(store)
    paris = timezone(timedelta(hours=2))
    log.record("request", "alice", datetime(2024, 10, 15, 11, 0, 0, 5, tzinfo=paris))
    log.record("request", "alice", datetime(2024, 10, 15, 9, 0, 1))  # naive: taken as UTC
    assert [r.at for r in log.list(newest_first=False)] == [
        datetime(2024, 10, 15, 9, 0, 0, 5, tzinfo=UTC),
        datetime(2024, 10, 15, 9, 0, 1, tzinfo=UTC),
    ]
    assert log.verify().ok


def test_concurrent_appends_from_threads_never_fork(store: Store) -> None:
    log = AuditLog(store)
    errors: list[BaseException] = []

    def worker(w: int) -> None:
        try:
            for i in range(20):
                log.record("execution", f"worker-{w}", T0, subject=f"{w}-{i}")
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = log.verify()
    assert report.ok and report.checked == 120, report.reason
    assert len({r["prev_hash"] for r in rows(store)}) == 120


APPENDER = """
import sys
from datetime import UTC, datetime
from store import Store
from store.audit import AuditLog
log = AuditLog(Store(sys.argv[1]))
for i in range(int(sys.argv[3])):
    log.record("execution", sys.argv[2], datetime.now(UTC), subject=str(i))
"""


def test_concurrent_appends_from_two_processes_never_fork(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    Store(url).close()  # create the schema once, before both start
    procs = [
        subprocess.Popen([sys.executable, "-c", APPENDER, url, name, "40"], cwd=ROOT, stderr=subprocess.PIPE)
        for name in ("p1", "p2")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    s = Store(url)
    report = AuditLog(s).verify()
    assert report.ok and report.checked == 80, report.reason
    assert {r.actor for r in AuditLog(s).list(limit=100)} == {"p1", "p2"}
    s.close()


def test_a_fork_raises_integrity_error_and_retry_rereads_the_head(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AuditLog(store)
    log.record("request", "alice", T0)
    stale = {"left": 1}
    real_head = AuditLog._head

    def head(self: AuditLog, s: object) -> str:
        # The first read answers as if another process had not appended yet.
        if stale["left"]:
            stale["left"] -= 1
            return GENESIS
        return real_head(self, s)  # type: ignore[arg-type]

    monkeypatch.setattr(AuditLog, "_head", head)
    with pytest.raises(IntegrityError) as caught, store.session() as s:
        log.append(s, "decision", "bob", T0)
    assert is_fork(caught.value)

    stale["left"] = 1
    attempts = []

    def transaction() -> str:
        attempts.append(1)
        with store.session() as s:
            log.append(s, "decision", "bob", T0, approval_id="ap-1")
        return "done"

    assert retry_on_fork(transaction) == "done"
    assert len(attempts) == 2
    assert log.verify().ok and log.verify().checked == 2


def test_retry_on_fork_passes_other_integrity_errors_through() -> None:
    calls = []

    def transaction() -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: approvals.id"))

    with pytest.raises(IntegrityError):
        retry_on_fork(transaction)
    assert len(calls) == 1


def test_append_commits_with_the_callers_transaction_or_not_at_all(store: Store) -> None:
    log = AuditLog(store)
    with pytest.raises(RuntimeError), store.session() as s:
        log.append(s, "decision", "bob", T0, approval_id="ap-1")
        raise RuntimeError("the transition failed")
    assert log.list() == []
    with store.session() as s:
        log.append(s, "decision", "bob", T0, approval_id="ap-1")
        log.append(s, "execution", "bob", T0, approval_id="ap-1")
    assert [r.kind for r in log.list(newest_first=False)] == ["decision", "execution"]
    assert log.verify().ok


# --- tampering ------------------------------------------------------------------------------


def test_verify_finds_an_edited_actor(store: Store) -> None:
    log = AuditLog(store)
    fill(log, 10)
    sql(store, "UPDATE audit_log SET actor = 'mallory' WHERE id = 4")
    report = log.verify()
    assert not report.ok and report.first_broken_id == 4 and report.checked == 3
    assert "does not match its hash" in report.reason


def test_verify_finds_an_edited_detail_and_timestamp(store: Store) -> None:
    log = AuditLog(store)
    fill(log, 10)
    sql(store, """UPDATE audit_log SET detail = '{"n": 2, "decision": "rejected"}' WHERE id = 3""")
    assert log.verify().first_broken_id == 3
    # One microsecond later, on an earlier record: that one is now the first broken.
    sql(store, "UPDATE audit_log SET at = '2024-10-15 09:01:00.123458' WHERE id = 2")
    assert log.verify().first_broken_id == 2


def test_verify_finds_a_deleted_refusal(store: Store) -> None:
    log = AuditLog(store)
    fill(log, 10)
    refusals = [r.id for r in log.list(kind="refused", newest_first=False)]
    sql(store, "DELETE FROM audit_log WHERE id = :id", id=refusals[0])
    report = log.verify()
    assert not report.ok and report.first_broken_id == refusals[0] + 1
    assert report.reason == (
        f"record {refusals[0] + 1} does not follow record {refusals[0] - 1}: "
        "a record before it was deleted, or it was inserted"
    )


def test_verify_finds_the_first_record_deleted(store: Store) -> None:
    log = AuditLog(store)
    fill(log, 3)
    sql(store, "DELETE FROM audit_log WHERE id = 1")
    report = log.verify()
    assert report.first_broken_id == 2 and "does not start the chain" in report.reason


def test_verify_finds_an_inserted_fake_decision_at_the_end(store: Store) -> None:
    log = AuditLog(store)
    fill(log, 5)
    head = rows(store)[-1]["hash"]
    fake = {"kind": "decision", "actor": "bob", "prev_hash": head, "hash": "f" * 64}
    insert(store, at="2024-10-15 10:00:00.000000", **fake)
    report = log.verify()
    assert report.first_broken_id == 6 and report.checked == 5


def test_verify_finds_a_fake_decision_put_in_place_of_a_deleted_record(store: Store) -> None:
    """The forger links the fake correctly to the record before it; the one after still points
    at the record that was removed."""
    log = AuditLog(store)
    fill(log, 6)
    before = rows(store)[2]
    sql(store, "DELETE FROM audit_log WHERE id = 4")
    at = datetime(2024, 10, 15, 9, 3, tzinfo=UTC)
    fake = {"kind": "decision", "actor": "bob", "approval_id": "ap-0000", "detail": {"decision": "approved"}}
    digest = forged_hash(None, before["hash"], at, **fake)
    insert(store, id=4, at="2024-10-15 09:03:00.000000", prev_hash=before["hash"], hash=digest, **fake)
    report = log.verify()
    assert report.first_broken_id == 5 and report.checked == 4
    assert "does not follow record 4" in report.reason


def test_verify_finds_a_fake_record_before_the_first(store: Store) -> None:
    log = AuditLog(store)
    fill(log, 3)
    at = datetime(2024, 10, 14, tzinfo=UTC)
    fake = {"kind": "decision", "actor": "bob", "approval_id": "ap-0000"}
    digest = forged_hash(None, "e" * 64, at, **fake)
    insert(store, id=0, at="2024-10-14 00:00:00.000000", prev_hash="e" * 64, hash=digest, **fake)
    report = log.verify()
    assert report.first_broken_id == 0 and "does not start the chain" in report.reason


def test_without_a_key_a_rebuilt_chain_passes_with_a_key_it_does_not(tmp_path: Path) -> None:
    key = b"k" * 32
    plain = Store(f"sqlite:///{tmp_path / 'plain.db'}")
    fill(AuditLog(plain), 5)
    sql(plain, "UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
    rebuild_chain(plain, None)
    assert AuditLog(plain).verify().ok  # why the key matters

    keyed = Store(f"sqlite:///{tmp_path / 'keyed.db'}")
    log = AuditLog(keyed, key=key)
    fill(log, 5)
    assert log.verify().ok
    assert not AuditLog(keyed).verify().ok  # the hashes are HMACs, not plain SHA-256
    assert not AuditLog(keyed, key=b"other").verify().ok
    sql(keyed, "UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
    rebuild_chain(keyed, None)
    report = log.verify()
    assert not report.ok and report.first_broken_id == 1 and report.checked == 0
    plain.close()
    keyed.close()


def test_the_key_comes_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDPILOT_AUDIT__KEY", "s3cret")
    settings = load_settings(data_dir=tmp_path)
    assert settings.audit.key_bytes() == b"s3cret"
    assert settings.masked()["audit"]["key"] == "**********"
    s = Store(settings.sqlalchemy_url)
    fill(AuditLog.from_settings(s, settings.audit), 2)
    assert AuditLog(s, key=b"s3cret").verify().ok
    assert not AuditLog(s).verify().ok
    s.close()
    assert AuditSettings(key=None).key_bytes() is None
    with pytest.raises(ValueError, match="socket path or host:port"):
        AuditSettings(syslog="loghost")


# --- paging and filters ----------------------------------------------------------------------


def test_list_pages_newest_first_by_id(store: Store) -> None:
    log = AuditLog(store)
    fill(log, 120)
    first = log.list()
    assert [r.id for r in first] == list(range(120, 70, -1))
    second = log.list(before_id=first[-1].id)
    assert [r.id for r in second] == list(range(70, 20, -1))
    last = log.list(before_id=second[-1].id)
    assert [r.id for r in last] == list(range(20, 0, -1))
    assert log.list(before_id=1) == []
    assert [r.id for r in log.list(limit=3, newest_first=False)] == [118, 119, 120]


def test_list_filters(store: Store) -> None:
    log = AuditLog(store)
    fill(log, 30)
    assert {r.kind for r in log.list(kind="decision", limit=100)} == {"decision"}
    assert len(log.list(kind="decision", limit=100)) == 6
    assert {r.actor for r in log.list(actor="bob", limit=100)} == {"bob"}
    assert [r.kind for r in log.list("ap-0002", newest_first=False)] == [
        "request",
        "refused",
        "decision",
        "execution",
        "verification",
    ]
    since = T0 + timedelta(minutes=25)
    assert [r.id for r in log.list(since=since)] == [30, 29, 28, 27, 26]
    assert [r.id for r in log.list(actor="bob", kind="decision", limit=100)] == [23, 8]
    assert [r.id for r in log.list(actor="bob", kind="decision", before_id=23)] == [8]


# --- export ---------------------------------------------------------------------------------


def test_export_writes_json_lines_after_commit_only(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "export" / "audit.jsonl"
    log = AuditLog(store, sink=AuditExport(path))
    fill(log, 3)
    with pytest.raises(RuntimeError), store.session() as s:
        log.append(s, "decision", "bob", T0)
        raise RuntimeError("rolled back")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["id"] for line in lines] == [1, 2, 3]
    assert [line["hash"] for line in lines] == [r["hash"] for r in rows(store)]
    assert lines[0]["prev_hash"] == GENESIS and lines[0]["at"].startswith("2024-10-15T09:00:00.123456")


def test_a_failing_export_never_breaks_the_append(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    log = AuditLog(store, sink=AuditExport(blocker / "audit.jsonl", syslog="/nonexistent/socket"))
    fill(log, 2)
    assert log.verify().checked == 2
    assert "audit export to" in caplog.text and "syslog" in caplog.text


def test_export_to_syslog_over_udp(store: Store) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        port = server.getsockname()[1]
        sink = sink_for(AuditSettings(syslog=f"127.0.0.1:{port}"))
        assert sink is not None and sink is sink_for(AuditSettings(syslog=f"127.0.0.1:{port}"))
        AuditLog(store, sink=sink).record("decision", "bob", T0, approval_id="ap-1")
        message = server.recv(65536).decode()
        sink.close()
    assert "cloudpilot-audit: " in message
    payload = json.loads(message.split("cloudpilot-audit: ", 1)[1].rstrip("\x00"))
    assert payload["actor"] == "bob" and payload["hash"] == rows(store)[0]["hash"]
    assert sink_for(AuditSettings()) is None


# --- migration --------------------------------------------------------------------------------

OLD_TABLE = """
CREATE TABLE audit_log (
    id INTEGER NOT NULL PRIMARY KEY,
    at DATETIME,
    kind VARCHAR(32),
    actor VARCHAR(255),
    approval_id VARCHAR(32),
    subject VARCHAR(512),
    detail JSON
)
"""


def test_an_old_table_gets_the_chain_columns_and_its_rows_a_chain(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.execute(OLD_TABLE)
        for i in range(1, 8):
            conn.execute(
                "INSERT INTO audit_log (id, at, kind, actor, approval_id, subject, detail) "
                "VALUES (?, ?, 'decision', 'bob', 'ap-1', 'x', ?)",
                (i, f"2024-10-0{i} 12:00:00.000000", json.dumps({"n": i})),
            )
    url = f"sqlite:///{db}"
    store = Store(url)
    assert {"prev_hash", "hash"} <= set(rows(store)[0])
    log = AuditLog(store, key=b"k")
    assert [r.id for r in log.list(limit=3)] == [7, 6, 5]  # listing works before sealing
    report = log.verify()
    assert report.ok and report.checked == 7, report.reason
    sealed = rows(store)
    log.record("execution", "bob", T0, approval_id="ap-1")
    assert rows(store)[-1]["prev_hash"] == sealed[-1]["hash"]
    store.close()

    again = Store(url)  # idempotent: nothing to add the second time
    assert rows(again)[:7] == sealed
    assert AuditLog(again, key=b"k").verify().checked == 8
    sql(again, "UPDATE audit_log SET actor = 'mallory' WHERE id = 3")
    assert AuditLog(again, key=b"k").verify().first_broken_id == 3
    with again.engine.connect() as c:
        names = [r[1] for r in c.execute(text("PRAGMA index_list('audit_log')"))]
    assert "uq_audit_log_prev_hash" in names
    again.close()


def test_an_old_table_is_sealed_by_the_first_append(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.execute(OLD_TABLE)
        conn.execute(
            "INSERT INTO audit_log (at, kind, actor, approval_id, subject, detail) "
            "VALUES ('2024-10-01 12:00:00', 'request', 'alice', 'ap-1', 'x', '{}')"
        )
    store = Store(f"sqlite:///{db}")
    log = AuditLog(store)
    log.record("decision", "bob", T0, approval_id="ap-1")
    chain = rows(store)
    assert chain[0]["prev_hash"] == GENESIS and chain[1]["prev_hash"] == chain[0]["hash"]
    assert log.verify().checked == 2
    store.close()
