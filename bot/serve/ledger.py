"""Idempotency records: what a job has already done outside the database, step by step.

A job that is retried (its worker was killed, or a call failed) reads its record first and
skips every step recorded there; a step that posts to a chat platform is recorded as an intent
before the call and with the platform's id (the message ts) after it. `PgLedger` keeps the
records in PostgreSQL beside the queue, so they survive any process; `MemoryLedger` keeps them
in this process (the single-process default, where a crash loses the queue too).
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

INTENT = "?intent"  # recorded before a call whose result is not known yet (no ts looks like it)

DDL = """
CREATE TABLE IF NOT EXISTS cloudpilot_job_ledger (
    key text NOT NULL,
    step text NOT NULL,
    value text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key, step)
);
CREATE INDEX IF NOT EXISTS cloudpilot_job_ledger_at ON cloudpilot_job_ledger (at);
"""

KEEP_DAYS = 14


class Ledger(Protocol):
    durable: bool

    def get(self, key: str) -> dict[str, str]:
        """Every recorded step of `key` → its value (empty for a job never run)."""
        ...

    def put(self, key: str, step: str, value: str) -> None: ...

    def close(self) -> None: ...


class MemoryLedger:
    durable = False

    def __init__(self, max_keys: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, str]] = {}
        self._max = max_keys

    def get(self, key: str) -> dict[str, str]:
        with self._lock:
            return dict(self._data.get(key, {}))

    def put(self, key: str, step: str, value: str) -> None:
        with self._lock:
            if key not in self._data and len(self._data) >= self._max:
                self._data.pop(next(iter(self._data)))  # oldest first: dicts keep insertion order
            self._data.setdefault(key, {})[step] = value

    def close(self) -> None:
        with self._lock:
            self._data.clear()


class PgLedger:
    durable = True

    def __init__(self, conninfo: str, max_size: int = 8) -> None:
        from psycopg_pool import ConnectionPool

        self._pool = ConnectionPool(
            conninfo, min_size=1, max_size=max_size, open=True, kwargs={"autocommit": True}
        )
        self._last_purge = 0.0

    def get(self, key: str) -> dict[str, str]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT step, value FROM cloudpilot_job_ledger WHERE key = %s", (key,)
            ).fetchall()
        return {str(step): str(value) for step, value in rows}

    def put(self, key: str, step: str, value: str) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                "INSERT INTO cloudpilot_job_ledger (key, step, value) VALUES (%s, %s, %s) "
                "ON CONFLICT (key, step) DO UPDATE SET value = EXCLUDED.value, at = now()",
                (key, step, value),
            )
            now = time.monotonic()
            if now - self._last_purge > 3600:
                self._last_purge = now
                conn.execute(
                    "DELETE FROM cloudpilot_job_ledger WHERE at < now() - make_interval(days => %s)",
                    (KEEP_DAYS,),
                )

    def close(self) -> None:
        self._pool.close()
