"""The cost store: billing data in DuckDB, in memory or in a file under settings.data_dir.

Readers open a file store read-only and never wait for a writer (`writer` replaces the file
copy-on-write); a reader notices a newer file at its next query and reopens it. This is what
lets `cloudpilot ask` run while `cloudpilot cost ingest` loads a large export in another
process. `cost_store(ctx)` is the one store a tool context uses, kept in `ctx.services`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from tools.base import UserFacingError
from tools.cost.defaults import BUNDLED_SAMPLE, AutoSource, default_sources, sync_defaults
from tools.cost.exports import discover
from tools.cost.ingest import connect_memory
from tools.cost.schema import TEXT_COLUMNS
from tools.cost.writer import BatchRecord, Writer, ingest_files, write_file_store

if TYPE_CHECKING:
    from config import Settings
    from tools.base import ToolContext

log = logging.getLogger(__name__)

STORE_FILE = "cost.duckdb"
_OPEN_RETRY_S = 3.0
# Two threads of one context may both find no store yet; the first one kept wins.
_CACHE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Coverage:
    """First and last day that charges start on, over all loaded data."""

    first_day: date
    last_day: date


class CostStore:
    """Loaded billing data. Tables: `charges` (one row per charge, FOCUS column names),
    `tag_values` (tag_set, key_norm = trimmed lower-case key, key, value) and `batches`."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection | None = None,
        sources: Sequence[Path] = (),
        *,
        path: Path | None = None,
    ) -> None:
        if (connection is None) == (path is None):
            raise ValueError("a CostStore has either a connection or a file path")
        self._con = connection
        self.path = path
        self._stamp: tuple[int, int] | None = None
        # One DuckDB connection must not run two statements at once from different threads.
        self._lock = threading.Lock()
        self.sources = tuple(sources)

    # --- building ----------------------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings: Settings) -> CostStore:
        """An in-memory store of settings.focus_paths, else the bundled sample."""
        return cls.from_paths(settings.focus_paths or [BUNDLED_SAMPLE])

    @classmethod
    def from_paths(cls, paths: Sequence[Path]) -> CostStore:
        files = discover(paths)
        con = connect_memory()
        try:
            ingest_files(Writer(con, "memory"), files, origin="manual", source=", ".join(map(str, paths)))
        except BaseException:
            con.close()
            raise
        return cls(con, [f.path for f in files])

    @classmethod
    def open(cls, path: Path) -> CostStore:
        """A reader of the file store at `path` (it must exist)."""
        store = cls(path=path)
        with store._lock:
            store._reopen_if_changed()
        return store

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """A writer for this store: in place for a memory store, copy-on-write for a file."""
        if self.path is not None:
            with write_file_store(self.path) as w:
                yield w
            return
        assert self._con is not None
        with self._lock:
            yield Writer(self._con, "memory")

    # --- reading -----------------------------------------------------------------------------

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            con = self._connection()
            return con.execute(sql, list(params)).fetchall()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self.path is not None:
            self._reopen_if_changed()
        assert self._con is not None
        return self._con

    def _reopen_if_changed(self) -> None:
        assert self.path is not None
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise UserFacingError(
                f"The cost store {self.path} is missing. "
                "Run `cloudpilot cost ingest PATH` to load billing data."
            ) from None
        stamp = (st.st_ino, st.st_mtime_ns)
        if self._con is not None and stamp == self._stamp:
            return
        # Close first: DuckDB shares one database instance per path within a process, so a
        # connection opened while the old one lives would see the replaced file.
        if self._con is not None:
            self._con.close()
            self._con = None
        self._con, self._stamp = _open_read_only(self.path), stamp

    def row_count(self) -> int:
        return int(self.fetch("SELECT count(*) FROM charges")[0][0])

    def coverage(self) -> Coverage | None:
        first, last = self.fetch("SELECT min(ChargePeriodStart), max(ChargePeriodStart) FROM charges")[0]
        if first is None:
            return None
        return Coverage(first.date(), last.date())

    def distinct(self, column: str) -> list[str]:
        if column not in TEXT_COLUMNS:
            raise ValueError(f"not a text column: {column}")
        rows = self.fetch(f"SELECT DISTINCT {column} FROM charges WHERE {column} IS NOT NULL ORDER BY 1")
        return [r[0] for r in rows]

    def region_keys(self) -> list[str]:
        """Region ids, or names where a provider gives no id (as region breakdowns show them)."""
        return self._keys("coalesce(RegionId, RegionName)")

    def account_keys(self) -> list[str]:
        return self._keys("coalesce(SubAccountName, SubAccountId, BillingAccountName, BillingAccountId)")

    def _keys(self, expr: str) -> list[str]:
        rows = self.fetch(f"SELECT DISTINCT {expr} AS k FROM charges WHERE k IS NOT NULL ORDER BY 1")
        return [r[0] for r in rows]

    def tag_keys(self) -> list[str]:
        """Tag keys as matched: trimmed and lower-case."""
        return [r[0] for r in self.fetch("SELECT DISTINCT key_norm FROM tag_values ORDER BY 1")]

    def batches(self) -> list[BatchRecord]:
        rows = self.fetch(
            "SELECT batch_id, origin, source, fingerprint, format, files, row_count, ingested_at "
            "FROM batches ORDER BY batch_id"
        )
        return [BatchRecord(*r) for r in rows]

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


def _open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + _OPEN_RETRY_S
    while True:
        try:
            con = duckdb.connect(str(path), read_only=True)
            con.execute("SET TimeZone = 'UTC'")
            return con
        except duckdb.IOException as exc:
            # Only an older writer that wrote in place could hold the lock; wait for it briefly.
            if time.monotonic() >= deadline:
                raise UserFacingError(
                    f"The cost store {path} is busy (another CloudPilot process is writing it); "
                    "try again in a moment."
                ) from exc
            time.sleep(0.1)


def memory_store(sources: Sequence[AutoSource], now: datetime | None = None) -> CostStore:
    """An in-memory store holding these sources (tests, benchmarks, and the fallback)."""
    con = connect_memory()
    writer = Writer(con, "memory")
    for source in sources:
        writer.load(
            source.stage,
            origin="auto",
            source=source.label,
            fingerprint=source.fingerprint,
            now=now or datetime.now(UTC),
        )
    return CostStore(con, [s.path for s in sources if s.path is not None])


# --- the context's store -----------------------------------------------------------------------


def cost_store(ctx: ToolContext) -> CostStore:
    """The context's store, opened (and brought up to date with its default sources) on first use."""
    cached = ctx.services.cost_store
    if cached is not None:
        return cached
    loaded = open_default_store(ctx.settings, ctx.clock.now())
    with _CACHE_LOCK:
        current = ctx.services.cost_store
        if current is None:
            ctx.services.cost_store = current = loaded
    if current is not loaded:
        loaded.close()
    return current


def open_default_store(settings: Settings, now: datetime) -> CostStore:
    sources = default_sources(settings)
    db = store_path(settings)
    try:
        sync_defaults(db, sources, now)
        return CostStore.open(db)
    except (OSError, duckdb.IOException) as exc:
        # A read-only or full data_dir must not take cost answers down: load in memory instead.
        log.warning("cost store %s unusable (%s); loading the cost data in memory", db, exc)
        return memory_store(sources, now)


def store_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / STORE_FILE
