"""The cost store: billing data in DuckDB, in memory or in a file under settings.data_dir.

A file store is written copy-on-write: a writer (holding a lock file, so writers take turns)
copies the database, applies its batch in one transaction and atomically renames the copy into
place. Readers open the file read-only and never wait for a writer; a reader notices a newer
file at its next query and reopens it. This is what lets `cloudpilot ask` run while
`cloudpilot cost ingest` loads a large export in another process.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from tools.base import UserFacingError
from tools.cost.ingest import LoadFailed, SourceFile, Staged, Stager, connect_memory, discover
from tools.cost.schema import (
    MONEY,
    MONEY_COLUMNS,
    TEXT_COLUMNS,
    TIME_COLUMNS,
    create_statements,
)

if TYPE_CHECKING:
    from config import Settings
    from tools.base import ToolContext

log = logging.getLogger(__name__)

BUNDLED_SAMPLE = Path(__file__).parent / "data" / "focus_sample.csv"
STORE_FILE = "cost.duckdb"
# Where a context keeps its store (ctx.extras), so callers can also hand one in.
STORE_EXTRAS_KEY = "tools.cost.store"
_LOCK_WAIT_S = 120.0
_OPEN_RETRY_S = 3.0

__all__ = [
    "BUNDLED_SAMPLE",
    "MONEY",
    "MONEY_COLUMNS",
    "STORE_EXTRAS_KEY",
    "TEXT_COLUMNS",
    "TIME_COLUMNS",
    "BatchRecord",
    "CostStore",
    "Coverage",
    "IngestReport",
    "cost_store",
]


@dataclass(frozen=True)
class Coverage:
    """First and last day that charges start on, over all loaded data."""

    first_day: date
    last_day: date


@dataclass(frozen=True)
class IngestReport:
    batch_id: int
    files: int
    rows: int
    replaced_rows: int
    periods: list[str]
    providers: list[str]
    formats: list[str]
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float(self.rows)


@dataclass(frozen=True)
class BatchRecord:
    batch_id: int
    origin: str
    source: str
    fingerprint: str
    format: str
    files: int
    row_count: int
    ingested_at: datetime


class Writer:
    """Applies staged batches to the store's tables in `catalog` of `con`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, catalog: str) -> None:
        self.con = con
        self.catalog = catalog
        for statement in create_statements(catalog):
            con.execute(statement)

    def batches(self) -> list[BatchRecord]:
        rows = self.con.execute(
            f"SELECT batch_id, origin, source, fingerprint, format, files, row_count, ingested_at "
            f"FROM {self.catalog}.batches ORDER BY batch_id"
        ).fetchall()
        return [BatchRecord(*r) for r in rows]

    def load(
        self, stage: Callable[[Stager], Staged], *, origin: str, source: str, fingerprint: str, now: datetime
    ) -> IngestReport:
        """One batch: `stage` loads rows under a new batch id, then the store's earlier rows for
        the same (provider, billing account, billing period)s are replaced, all in one transaction."""
        started = time.perf_counter()
        c = self.catalog
        self.con.execute("BEGIN TRANSACTION")
        try:
            batch_id = int(
                self.con.execute(f"SELECT coalesce(max(batch_id), 0) + 1 FROM {c}.batches").fetchall()[0][0]
            )
            staged = stage(Stager(self.con, c, batch_id))
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE batch_keys AS SELECT ProviderName AS p, BillingAccountId AS a, "
                f"BillingPeriodStart AS b, count(*) AS n FROM {c}.charges WHERE batch_id = ? GROUP BY ALL",
                [batch_id],
            )
            keys = self.con.execute("SELECT p, b, n FROM batch_keys").fetchall()
            replaced = 0
            if batch_id > 1:
                replaced = int(
                    self.con.execute(
                        f"DELETE FROM {c}.charges AS ch USING batch_keys k WHERE ch.batch_id <> ? "
                        "AND ch.ProviderName IS NOT DISTINCT FROM k.p "
                        "AND ch.BillingAccountId IS NOT DISTINCT FROM k.a AND ch.BillingPeriodStart = k.b",
                        [batch_id],
                    ).fetchall()[0][0]
                )
                self._collect_tags()
            rows = sum(int(k[2]) for k in keys)
            self.con.execute(
                f"INSERT INTO {c}.batches VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    batch_id,
                    origin,
                    source,
                    fingerprint,
                    "+".join(dict.fromkeys(staged.formats)),
                    staged.files,
                    rows,
                    now.replace(tzinfo=None),
                ],
            )
            self.con.execute("COMMIT")
        except LoadFailed as failed:
            self.con.execute("ROLLBACK")
            raise failed.explain() from failed.cause
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return IngestReport(
            batch_id=batch_id,
            files=staged.files,
            rows=rows,
            replaced_rows=replaced,
            periods=sorted({k[1].strftime("%Y-%m") for k in keys}),
            providers=sorted({k[0] or "(unknown)" for k in keys}),
            formats=list(dict.fromkeys(staged.formats)),
            seconds=time.perf_counter() - started,
        )

    def drop_batches(self, batch_ids: Sequence[int]) -> None:
        if not batch_ids:
            return
        marks = ", ".join("?" * len(batch_ids))
        self.con.execute(f"DELETE FROM {self.catalog}.charges WHERE batch_id IN ({marks})", list(batch_ids))
        self.con.execute(f"DELETE FROM {self.catalog}.batches WHERE batch_id IN ({marks})", list(batch_ids))
        self._collect_tags()

    def _collect_tags(self) -> None:
        c = self.catalog
        self.con.execute(
            f"DELETE FROM {c}.tag_values WHERE tag_set NOT IN "
            f"(SELECT DISTINCT tag_set FROM {c}.charges WHERE tag_set IS NOT NULL)"
        )


def ingest_files(
    writer: Writer,
    files: Sequence[SourceFile],
    *,
    origin: str,
    source: str,
    fingerprint: str = "",
    now: datetime | None = None,
) -> IngestReport:
    return writer.load(
        lambda stager: stager.stage_files(files),
        origin=origin,
        source=source,
        fingerprint=fingerprint,
        now=now or datetime.now(UTC),
    )


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


@contextmanager
def _file_lock(path: Path, wait_s: float = _LOCK_WAIT_S) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise UserFacingError(
                        f"Another CloudPilot process has been writing the cost store for over "
                        f"{wait_s:.0f} s ({path}); try again when it finishes."
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextmanager
def write_file_store(db: Path) -> Iterator[Writer]:
    """Copy-on-write: the live file is replaced only after the whole change committed."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(db.with_name(db.name + ".lock")):
        tmp = db.with_name(f".{db.name}.{os.getpid()}.tmp")
        _remove(tmp)
        if db.exists():
            shutil.copyfile(db, tmp)
        con = connect_memory()
        try:
            con.execute(f"ATTACH '{_sql_text(str(tmp))}' AS store")
            yield Writer(con, "store")
            con.execute("DETACH store")
            con.close()
            os.replace(tmp, db)
        finally:
            con.close()
            _remove(tmp)


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


# --- the context's store -----------------------------------------------------------------------


def cost_store(ctx: ToolContext) -> CostStore:
    """The context's store, opened (and brought up to date with its default sources) on first use."""
    cached = ctx.extras.get(STORE_EXTRAS_KEY)
    if isinstance(cached, CostStore):
        return cached
    loaded = open_default_store(ctx.settings, ctx.clock.now())
    current = ctx.extras.setdefault(STORE_EXTRAS_KEY, loaded)
    if current is not loaded:
        loaded.close()
    return current


def open_default_store(settings: Settings, now: datetime) -> CostStore:
    from tools.cost.defaults import default_sources, sync_defaults

    sources = default_sources(settings)
    db = store_path(settings)
    try:
        sync_defaults(db, sources, now)
        return CostStore.open(db)
    except (OSError, duckdb.IOException) as exc:
        from tools.cost.defaults import memory_store

        # A read-only or full data_dir must not take cost answers down: load in memory instead.
        log.warning("cost store %s unusable (%s); loading the cost data in memory", db, exc)
        return memory_store(sources, now)


def store_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / STORE_FILE
