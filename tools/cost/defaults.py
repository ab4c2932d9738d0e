"""The store's default sources and keeping the file store in step with them.

Default sources are what the settings name (focus_paths, else the bundled FOCUS sample) plus,
when `cost_demo_history` is on, the generated demo history. Each is one "auto" batch tagged
with a fingerprint of its files; a store whose auto batches differ from the wanted ones is
brought up to date on first use, so the bundled data works with zero set-up and an edited
export is picked up without a manual ingest.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from tools.cost.datastore import BUNDLED_SAMPLE, write_file_store
from tools.cost.ingest import Staged, Stager, discover
from tools.cost.options import cost_options

if TYPE_CHECKING:
    from config import Settings

DEMO_LABEL = "generated:demo-history"


@dataclass(frozen=True)
class AutoSource:
    label: str
    fingerprint: str
    stage: Callable[[Stager], Staged]
    path: Path | None = None


def default_sources(settings: Settings) -> list[AutoSource]:
    sources = [_files_source(p) for p in (settings.focus_paths or [BUNDLED_SAMPLE])]
    if cost_options(settings).demo_history:
        sources.append(demo_source())
    return sources


def _files_source(path: Path) -> AutoSource:
    files = discover([path])
    digest = hashlib.sha256()
    for f in files:
        st = f.path.stat()
        digest.update(f"{f.path.resolve()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return AutoSource(
        label=str(path.resolve()),
        fingerprint=digest.hexdigest()[:32],
        stage=lambda stager: stager.stage_files(files),
        path=path,
    )


def demo_source() -> AutoSource:
    from tools.cost.generator import DEMO_SPEC, generation_sql

    spec = DEMO_SPEC
    return AutoSource(
        label=DEMO_LABEL,
        fingerprint=spec.fingerprint(),
        stage=lambda stager: stager.stage_relation(generation_sql(stager.con, spec), DEMO_LABEL),
    )


def sync_defaults(db: Path, sources: Sequence[AutoSource], now: datetime) -> None:
    """Make the file store's auto batches exactly `sources` (ingesting or dropping as needed)."""
    wanted = {s.label: s.fingerprint for s in sources}
    if db.exists() and _auto_batches(db) == wanted:
        return
    with write_file_store(db) as writer:
        current = [b for b in writer.batches() if b.origin == "auto"]
        have = {b.source: b.fingerprint for b in current}
        if have == wanted:
            return
        stale = [b.batch_id for b in current if wanted.get(b.source) != b.fingerprint]
        writer.drop_batches(stale)
        kept = {b.source for b in current if b.batch_id not in stale}
        for source in sources:
            if source.label in kept:
                continue
            started = time.perf_counter()
            staged = source.stage(writer.stager())
            writer.apply(
                staged, origin="auto", source=source.label, fingerprint=source.fingerprint, now=now,
                started=started,
            )


def _auto_batches(db: Path) -> dict[str, str] | None:
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute("SELECT source, fingerprint FROM batches WHERE origin = 'auto'").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return {r[0]: r[1] for r in rows}
