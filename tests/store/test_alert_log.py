"""Alert occurrences are claimed once: on SQLite and, with racing threads, on PostgreSQL; failed
ones are claimed again, stale claims are taken over after the lease, ended ones are released."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from store import Store
from store.alerts import COVERED, FAILED, SENT, AlertLog
from tests.services import postgres_url

T0 = datetime(2024, 9, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'alerts.db'}")
    yield s
    s.close()


def test_one_claim_per_occurrence_until_it_fails(sqlite_store: Store) -> None:
    log = AlertLog(sqlite_store)
    assert log.claim("budget", "channel:2024-09:actual:100", T0, "over budget")
    assert not log.claim("budget", "channel:2024-09:actual:100", T0)
    assert log.seen("budget", "channel:2024-09:actual:100")
    log.finish("budget", "channel:2024-09:actual:100", T0, ok=False, detail="channel_not_found")
    assert not log.seen("budget", "channel:2024-09:actual:100")
    assert log.claim("budget", "channel:2024-09:actual:100", T0 + timedelta(minutes=1))  # retried
    log.finish("budget", "channel:2024-09:actual:100", T0, ok=True)
    assert not log.claim("budget", "channel:2024-09:actual:100", T0 + timedelta(days=1))
    [row] = log.recent("budget")
    assert (row.status, row.attempts, row.title) == (SENT, 2, "over budget")
    assert log.recent("other") == []


def test_a_claim_left_by_a_dead_process_is_taken_over_after_the_lease(sqlite_store: Store) -> None:
    log = AlertLog(sqlite_store, lease=timedelta(minutes=10))
    assert log.claim("a", "k", T0)
    assert not log.claim("a", "k", T0 + timedelta(minutes=9))
    assert log.claim("a", "k", T0 + timedelta(minutes=11))


def test_covered_occurrences_never_post_and_ended_ones_are_released(sqlite_store: Store) -> None:
    log = AlertLog(sqlite_store)
    log.cover("budget", ["channel:2024-09:actual:50", "channel:2024-09:actual:80"], T0, by="x")
    log.cover("budget", ["channel:2024-09:actual:50"], T0, by="y")  # again: no error
    assert not log.claim("budget", "channel:2024-09:actual:80", T0)
    assert {r.status for r in log.recent("budget")} == {COVERED}
    assert log.claim("findings", "channel:f-1", T0)
    log.finish("findings", "channel:f-1", T0, ok=True)
    assert log.claim("findings", "channel:f-2", T0)
    log.finish("findings", "channel:f-2", T0, ok=False)
    assert log.release("findings", ["channel:f-1", "channel:f-2"]) == 1  # only what was posted
    assert log.keys("findings") == {"channel:f-2"}
    assert log.claim("findings", "channel:f-1", T0)  # it came back: a new occurrence
    assert {r.status for r in log.recent("findings")} >= {FAILED}


@pytest.fixture
def pg_store() -> Iterator[Store]:
    pg = postgres_url().replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"alerts_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in pg else "?"
    s = Store(f"{pg}{sep}options=-csearch_path%3D{schema}")
    yield s
    s.close()
    with admin.begin() as c:
        c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.mark.postgres
def test_replicas_racing_for_one_occurrence_on_postgres_claim_it_once(pg_store: Store) -> None:
    logs = [AlertLog(pg_store) for _ in range(8)]  # as if eight replicas
    wins: list[bool] = []
    barrier = threading.Barrier(len(logs))

    def race(log: AlertLog) -> None:
        barrier.wait()
        wins.append(log.claim("anomaly", "webhook:Amazon EC2:2024-09-12", T0))

    threads = [threading.Thread(target=race, args=(log,)) for log in logs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]
    logs[0].finish("anomaly", "webhook:Amazon EC2:2024-09-12", T0, ok=False)
    retried: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda log=log: retried.append(log.claim("anomaly", "webhook:Amazon EC2:2024-09-12", T0))
        )
        for log in logs
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(retried) == [False] * 7 + [True]  # a failed one is retried by exactly one
