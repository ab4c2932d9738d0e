"""Ingestion: bring a vector index in line with a set of document sources.

Writes are ordered so that a document is never half-written: every document is read,
parsed, chunked and embedded before anything is stored; then each document's new chunks
are upserted in one operation and only afterwards are its old chunks deleted. A crash in
between leaves both versions, and the next ingest (which sees two versions) repairs it. (The
embedded store also writes into a private copy that is published only once complete; see
`knowledge.edge_store`.)

`plan` only reads (documents, and the versions already indexed), so a process can find out
that nothing changed without taking the store's write lock; `apply` writes.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from knowledge.chunking import ChunkDraft, chunk_document, embed_text
from knowledge.documents import DocumentError, ParsedDoc, parse
from knowledge.index import ChunkRecord, VectorIndex, doc_version, split_version
from knowledge.lexical import document_vector
from knowledge.models import IngestReport, Skipped
from knowledge.source_docs import BUNDLED, SourceDoc, SourceError
from knowledge.sources import resolve

# Bump when parsing or chunking changes, so every document is re-indexed once.
PIPELINE_VERSION = "2"
# After writing this many chunks, build the HNSW index now rather than leave new points in
# plain segments (at 50k chunks: queries ~3 ms instead of ~12 ms, for ~30 s once).
OPTIMISE_AFTER = 1000
_CHUNK_NS = uuid.UUID("5b1f0c6e-8f0e-4c59-9a57-7a1c5e0c2d11")

# The embeddings of texts, one row each; the callback is told how many rows are done.
Vectorise = Callable[[list[str], Callable[[int], None]], NDArray[np.float32]]


@dataclass(frozen=True)
class IngestProgress:
    """Where an ingest is: `stage` is "reading" (files), "embedding" (chunks), "writing",
    "waiting" (for another process's ingest; `note` says so) or "done"."""

    stage: str
    files_done: int = 0
    files_total: int = 0
    chunks_done: int = 0
    chunks_total: int = 0
    note: str = ""


Progress = Callable[[IngestProgress], None]


@dataclass
class _Pending:
    doc: SourceDoc
    digest: str
    parsed: ParsedDoc
    drafts: list[ChunkDraft]
    is_new: bool


@dataclass
class Plan:
    """What an ingest will change, decided from the documents and the versions indexed."""

    report: IngestReport
    pending: list[_Pending] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)
    started: float = 0.0
    files: int = 0

    @property
    def work(self) -> bool:
        return bool(self.pending or self.deletions)

    def finish(self) -> IngestReport:
        self.report.seconds = time.perf_counter() - self.started
        return self.report


def indexed_versions(index: VectorIndex | None) -> dict[str, set[str]]:
    """Document key -> the versions (content hashes) indexed for it."""
    existing: dict[str, set[str]] = {}
    if index is not None:
        for value in index.facet("doc_version"):
            key, digest = split_version(value)
            existing.setdefault(key, set()).add(digest)
    return existing


def plan(
    existing: dict[str, set[str]],
    specs: Sequence[str | Path],
    progress: Progress | None = None,
    s3_client: Callable[[], Any] | None = None,
) -> Plan:
    """Read, parse and chunk every new or changed document of `specs`; find the deleted ones."""
    result = Plan(report=IngestReport(), started=time.perf_counter())
    report = result.report
    roots = []
    for spec in specs:
        try:
            roots.append(resolve(spec, s3_client))
        except SourceError as exc:
            report.skipped.append(Skipped(source=str(spec), reason=str(exc)))
    total = sum(len(root.docs) for root in roots)
    seen: set[str] = set()
    for root in roots:
        report.skipped.extend(Skipped(source=s, reason=r) for s, r in root.problems)
        listed = {doc.doc_key for doc in root.docs}
        for doc in root.docs:
            if progress is not None:
                progress(IngestProgress("reading", result.files, total))
            result.files += 1
            if doc.doc_key in seen:
                continue
            seen.add(doc.doc_key)
            item = _prepare(doc, existing.get(doc.doc_key, set()), report)
            if item is not None:
                result.pending.append(item)
        result.deletions.extend(
            k for k in existing if root.owns(k) and k not in listed and k not in result.deletions
        )
    if progress is not None:
        progress(IngestProgress("reading", result.files, total))
    return result


def apply(
    index: VectorIndex, planned: Plan, vectorise: Vectorise, progress: Progress | None = None
) -> IngestReport:
    """Embed and write what `plan` found. A document's new chunks are upserted in one
    operation and only afterwards are its old chunks deleted."""
    report = planned.report
    pending = planned.pending
    total = sum(len(p.drafts) for p in pending)
    done = 0

    def tell(stage: str) -> None:
        if progress is not None:
            progress(IngestProgress(stage, planned.files, planned.files, done, total))

    def advance(n: int) -> None:
        nonlocal done
        done += n
        tell("embedding")

    tell("embedding")
    embed_started = time.perf_counter()
    vectors = vectorise([embed_text(p.parsed.title, d) for p in pending for d in p.drafts], advance)
    report.embed_seconds = time.perf_counter() - embed_started

    tell("writing")
    row = 0
    for item in pending:
        records = []
        for number, draft in enumerate(item.drafts):
            records.append(_record(item, number, draft, vectors[row]))
            row += 1
        index.upsert(records)
        index.delete_doc(item.doc.doc_key, keep_hash=item.digest)
        (report.added if item.is_new else report.updated).append(item.doc.source)
        report.chunks_written += len(records)
    for key in planned.deletions:
        index.delete_doc(key)
        report.deleted.append(_display_key(key))
    index.flush()
    if report.chunks_written >= OPTIMISE_AFTER:
        index.optimize()
    tell("done")
    return planned.finish()


def ingest(
    index: VectorIndex,
    specs: Sequence[str | Path],
    vectorise: Vectorise,
    progress: Progress | None = None,
    s3_client: Callable[[], Any] | None = None,
) -> IngestReport:
    """Bring `index` in line with `specs`: new and changed documents are indexed, deleted
    ones removed."""
    from config.metrics import observe_ingest, timed

    with timed(lambda seconds: observe_ingest("knowledge", seconds)):
        planned = plan(indexed_versions(index), specs, progress, s3_client)
        return apply(index, planned, vectorise, progress)


def _prepare(doc: SourceDoc, versions: set[str], report: IngestReport) -> _Pending | None:
    try:
        data = doc.read()
    except OSError as exc:
        report.skipped.append(Skipped(source=doc.source, reason=f"cannot read: {exc.strerror or exc}"))
        return None
    digest = hashlib.sha256(PIPELINE_VERSION.encode() + b"\0" + data).hexdigest()[:32]
    if versions == {digest}:
        report.unchanged += 1
        return None
    try:
        parsed = parse(data, doc.fmt, Path(doc.source).stem)
    except DocumentError as exc:
        report.skipped.append(Skipped(source=doc.source, reason=str(exc)))
        return None
    drafts = chunk_document(parsed)
    if not drafts:
        report.skipped.append(Skipped(source=doc.source, reason="no text to index"))
        return None
    return _Pending(doc, digest, parsed, drafts, is_new=not versions)


def _record(item: _Pending, number: int, draft: ChunkDraft, vector: NDArray[np.float32]) -> ChunkRecord:
    doc, parsed = item.doc, item.parsed
    url = parsed.url or doc.url
    if doc.url_template and draft.section:
        url = doc.url_template.replace("{section}", draft.section.split(" > ")[0])
    payload: dict[str, Any] = {
        "doc_key": doc.doc_key,
        "doc_hash": item.digest,
        "doc_version": doc_version(doc.doc_key, item.digest),
        "source": doc.source,
        "kind": doc.kind,
        "title": parsed.title,
        "section": draft.section,
        "text": draft.text,
        "lines": [draft.line_start, draft.line_end] if doc.cite_lines else None,
        "url": url,
        "tags": sorted({*parsed.tags, *doc.tags}),
        "chunk": number,
    }
    chunk_id = str(uuid.uuid5(_CHUNK_NS, f"{doc.doc_key}\n{item.digest}\n{number}"))
    sparse = document_vector(embed_text(parsed.title, draft))
    return ChunkRecord(id=chunk_id, dense=vector, sparse=sparse, payload=payload)


def _display_key(doc_key: str) -> str:
    for prefix in ("file:", f"{BUNDLED}:"):
        if doc_key.startswith(prefix):
            return doc_key[len(prefix) :] if prefix == "file:" else f"{BUNDLED}/{doc_key[len(prefix) :]}"
    return doc_key
