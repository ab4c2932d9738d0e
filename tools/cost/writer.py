"""Writing the cost store: batches applied in one transaction, file stores copy-on-write.

A file store is written copy-on-write: a writer (holding a lock file, so writers take turns)
copies the database, applies its batch in one transaction and atomically renames the copy into
place. Readers (`datastore.CostStore`) open the file read-only and never wait for a writer.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tools.base import UserFacingError
from tools.cost.exports import SourceFile
from tools.cost.ingest import Staged, Stager, connect_memory
from tools.cost.ingest_errors import LoadFailed
from tools.cost.schema import create_statements

_LOCK_WAIT_S = 120.0


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


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def _sql_text(text: str) -> str:
    return text.replace("'", "''")
