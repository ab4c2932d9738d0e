"""The store's default sources and keeping the file store in step with them.

Default sources are what the settings name (focus_paths, else the bundled FOCUS sample) plus,
when `cost_demo_history` is on, the generated demo history. Each is one "auto" batch tagged
with a fingerprint of its files; a store whose auto batches differ from the wanted ones is
brought up to date on first use, so the bundled data works with zero set-up and an edited
export is picked up without a manual ingest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from tools.cost.exports import discover
from tools.cost.generator.spec import DEMO_SPEC, GeneratorSpec
from tools.cost.ingest import Staged, Stager
from tools.cost.options import cost_options
from tools.cost.writer import write_file_store

if TYPE_CHECKING:
    from config import Settings

BUNDLED_SAMPLE = Path(__file__).parent / "data" / "focus_sample.csv"
DEMO_LABEL = "generated:demo-history"


@dataclass(frozen=True)
class AutoSource:
    label: str
    fingerprint: str
    stage: Callable[[Stager], Staged]
    path: Path | None = None
    # The bundled sample stands in only until real data is ingested.
    fallback: bool = False


def default_sources(settings: Settings) -> list[AutoSource]:
    if settings.focus_paths:
        sources = [_files_source(p) for p in settings.focus_paths]
    else:
        sample = _files_source(BUNDLED_SAMPLE)
        sources = [AutoSource(sample.label, sample.fingerprint, sample.stage, sample.path, fallback=True)]
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
    return generated_source(DEMO_SPEC)


def sync_defaults(db: Path, sources: Sequence[AutoSource], now: datetime) -> None:
    """Make the file store's auto batches exactly `sources` (ingesting or dropping as needed)."""
    found = _auto_batches(db) if db.exists() else None
    if found is not None:
        auto, manual = found
        wanted = {s.label: s.fingerprint for s in sources if not (manual and s.fallback)}
        if auto == wanted:
            return
    with write_file_store(db) as writer:
        batches = writer.batches()
        manual = any(b.origin == "manual" for b in batches)
        sources = [s for s in sources if not (manual and s.fallback)]
        wanted = {s.label: s.fingerprint for s in sources}
        current = [b for b in batches if b.origin == "auto"]
        have = {b.source: b.fingerprint for b in current}
        if have == wanted:
            return
        stale = [b.batch_id for b in current if wanted.get(b.source) != b.fingerprint]
        writer.drop_batches(stale)
        kept = {b.source for b in current if b.batch_id not in stale}
        for source in sources:
            if source.label in kept:
                continue
            writer.load(
                source.stage, origin="auto", source=source.label, fingerprint=source.fingerprint, now=now
            )


def _auto_batches(db: Path) -> tuple[dict[str, str], bool] | None:
    """The store's auto batches (source -> fingerprint) and whether it holds manual ones."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute("SELECT origin, source, fingerprint FROM batches").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return {r[1]: r[2] for r in rows if r[0] == "auto"}, any(r[0] == "manual" for r in rows)


def generated_source(spec: GeneratorSpec, label: str = DEMO_LABEL) -> AutoSource:
    from tools.cost.generator.rows import generation_sql  # numpy: only when the demo history is used

    return AutoSource(
        label=label,
        fingerprint=spec.fingerprint(),
        stage=lambda stager: stager.stage_relation(generation_sql(stager.con, spec), label),
    )
