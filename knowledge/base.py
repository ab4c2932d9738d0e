"""The knowledge base: one store (embedded Qdrant or a Qdrant server) and one embedding model.

It owns what is long-lived and shared (the store, the loaded model, the shipped seed vectors);
the work itself is done by `knowledge.ingestion` (bringing the store in line with document
sources) and `knowledge.retrieval` (hybrid search with a relevance floor).

Any number of processes use one embedded store at once (`knowledge.edge_store`): searches read
a private copy of the current generation, and an ingest publishes a new generation when it is
complete, so searches in this and other processes go on while it runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from knowledge import ingestion, retrieval
from knowledge.embeddings import Embedder, model_slug
from knowledge.errors import KnowledgeError, StoreUnavailable
from knowledge.index import IndexStore, Scope, SharedStore, StoreDamaged, StoreError, VectorIndex
from knowledge.ingestion import IngestProgress, Progress
from knowledge.models import IngestReport, KbStats
from knowledge.query import focus
from knowledge.retrieval import SearchOutcome
from knowledge.seed import load_seed, text_key
from knowledge.source_docs import BUNDLED

if TYPE_CHECKING:
    from config import Settings

IndexFactory = Callable[[Callable[[], int], bool], VectorIndex | None]


class KnowledgeBase:
    """One per process and settings: it holds the loaded model and this process's view of
    the store."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        index_factory: IndexFactory | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder.from_settings(settings)
        self._index_factory = index_factory
        self._store: IndexStore | None = None
        self._lock = threading.RLock()
        # One ingest of this process at a time (other processes wait on the store's lock).
        self._ingest_lock = threading.Lock()
        self._seed_vectors: dict[str, NDArray[np.float32]] | None = None
        self.synced = False

    # -- the store -----------------------------------------------------------------------

    @property
    def collection(self) -> str:
        return f"cloudpilot_kb_{model_slug(self.settings.embedding_model).replace('-', '_')}"

    @property
    def edge_path(self) -> Path:
        return self.settings.data_dir / "knowledge" / model_slug(self.settings.embedding_model)

    @property
    def store_kind(self) -> str:
        return "qdrant-server" if self.settings.qdrant_url else "qdrant-edge (embedded)"

    def _server_index(self, create: bool) -> VectorIndex | None:
        s = self.settings
        assert s.qdrant_url is not None
        from knowledge.index_client import ClientIndex

        key = s.qdrant_api_key.get_secret_value() if s.qdrant_api_key else None
        client = ClientIndex.client_for(s.qdrant_url, key)
        try:
            present = client.collection_exists(self.collection)
        except Exception as exc:  # connection refused, auth
            raise StoreError(f"cannot reach Qdrant at {s.qdrant_url}: {exc}") from exc
        if not present and not create:
            return None
        return ClientIndex(client, self.collection, self._dimension, location=s.qdrant_url)

    def store(self) -> IndexStore:
        with self._lock:
            if self._store is None:
                factory = self._index_factory
                if factory is not None:
                    self._store = SharedStore(lambda create: factory(self._dimension, create), self.location)
                elif self.settings.qdrant_url:
                    self._store = SharedStore(self._server_index, self.location)
                else:
                    from knowledge.edge_store import EdgeStore

                    self._store = EdgeStore(self.edge_path, self._dimension)
            return self._store

    @contextmanager
    def reading(self) -> Iterator[VectorIndex | None]:
        """The index to search (None: nothing indexed yet), held for the block."""
        try:
            with self.store().reading() as (index, _version):
                yield index
        except StoreError as exc:
            raise StoreUnavailable(str(exc)) from exc

    @property
    def location(self) -> str:
        return self.settings.qdrant_url or str(self.edge_path)

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingestion ---------------------------------------------------------------------

    def ingest(
        self,
        specs: Sequence[str | Path],
        progress: Progress | None = None,
        s3_client: Callable[[], Any] | None = None,
    ) -> IngestReport:
        """Bring the store in line with `specs` (folders, files, s3:// prefixes, "bundled",
        "botocore[:svc,...]"): new and changed documents are indexed, deleted ones removed.
        Documents are compared with the index as searches see it, so when nothing changed
        nothing is locked or written. Waits for an ingest of another process to finish."""
        report = self._ingest(specs, progress, s3_client, wait=True)
        assert report is not None
        return report

    def _ingest(
        self,
        specs: Sequence[str | Path],
        progress: Progress | None,
        s3_client: Callable[[], Any] | None,
        wait: bool,
    ) -> IngestReport | None:
        """`ingest`; None when `wait` is false and another ingest (of this process or another)
        holds the store."""
        if not self._ingest_lock.acquire(blocking=wait):
            return None
        try:
            return self._ingest_locked(specs, progress, s3_client, wait)
        finally:
            self._ingest_lock.release()

    def _ingest_locked(
        self,
        specs: Sequence[str | Path],
        progress: Progress | None,
        s3_client: Callable[[], Any] | None,
        wait: bool,
    ) -> IngestReport | None:
        """Plan against the index searches see; write (and publish) only when something changed."""
        store = self.store()
        try:
            try:
                with store.reading() as (index, version):
                    existing = ingestion.indexed_versions(index)
            except StoreDamaged:
                if not wait:  # only an explicit ingest rebuilds
                    raise
                existing, version = {}, None
            planned = ingestion.plan(existing, specs, progress, s3_client)
            if not planned.work:
                return planned.finish()

            def waiting(note: str) -> None:
                if progress is not None:
                    progress(IngestProgress("waiting", note=note))

            with store.writing(wait=wait, on_wait=waiting) as writer:
                if writer is None:
                    return None
                if writer.base != version:
                    # Another process published in between: compare with what it wrote.
                    started = planned.started
                    existing = ingestion.indexed_versions(writer.index)
                    planned = ingestion.plan(existing, specs, None, s3_client)
                    planned.started = started
                report = ingestion.apply(writer.index, planned, self._vectors, progress)
                writer.publish = report.changed or report.chunks_written > 0
                return report
        except StoreError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def sync_defaults(self) -> IngestReport | None:
        """Once per process: index the bundled corpus and the configured folders (cheap when
        nothing changed: only hashes are compared). While another process ingests, this is
        skipped (and tried again on the next call) rather than waited for."""
        if self.synced:
            return None
        report = self._ingest([BUNDLED, *self.settings.knowledge_paths], None, None, wait=False)
        if report is not None:
            self.synced = True
        return report

    # -- embeddings --------------------------------------------------------------------

    def _seed(self) -> dict[str, NDArray[np.float32]]:
        if self._seed_vectors is None:
            self._seed_vectors = load_seed(self.settings.embedding_model)
        return self._seed_vectors

    def _dimension(self) -> int:
        """The model's dimension, from the shipped vectors when the model is not loaded yet."""
        if not self.embedder.loaded:
            seeded = next(iter(self._seed().values()), None)
            if seeded is not None:
                return int(seeded.shape[0])
        return self.embedder.dimension

    def _vectors(self, texts: list[str], advance: Callable[[int], None]) -> NDArray[np.float32]:
        """Embeddings of `texts`: shipped ones where the exact text is known, the model's otherwise."""
        seed = self._seed()
        keys = [text_key(self.settings.embedding_model, t) for t in texts]
        missing = [i for i, key in enumerate(keys) if key not in seed]
        if len(missing) < len(texts):
            advance(len(texts) - len(missing))
        fresh = self.embedder.encode([texts[i] for i in missing], progress=advance) if missing else None
        out = np.zeros((len(texts), self._dimension() if texts else 0), dtype=np.float32)
        for i, key in enumerate(keys):
            if key in seed:
                out[i] = seed[key]
        if fresh is not None:
            out[missing] = fresh
        return out

    # -- retrieval ---------------------------------------------------------------------

    def scope(self, source: str | None = None, tag: str | None = None) -> Scope:
        """Resolve a source substring and a tag into exact values the store filters on."""
        with self.reading() as index:
            return retrieval.resolve_scope(index, source, tag)

    def search(
        self,
        query: str,
        top_k: int = 5,
        source: str | None = None,
        tag: str | None = None,
        vector: NDArray[np.float32] | None = None,
    ) -> SearchOutcome:
        """Hybrid search; `vector` is the embedding of `focus(query)` when the caller already
        has it (evaluations embed all their questions in one batch)."""
        query = query.strip()
        if not query:
            raise KnowledgeError("the question is empty")
        query = focus(query)
        qvec = self.embedder.encode_query(query) if vector is None else vector
        with self.reading() as index:
            scope = retrieval.resolve_scope(index, source, tag)
            if index is None:
                return SearchOutcome([], 0.0, 0)
            return retrieval.search(index, query, qvec, scope, top_k)

    def stats(self) -> KbStats:
        with self.reading() as index:
            if index is None:
                return KbStats(
                    store=self.store_kind,
                    location=self.location,
                    model=self.settings.embedding_model,
                    documents=0,
                    chunks=0,
                )
            return KbStats(
                store=self.store_kind,
                location=self.location,
                model=self.settings.embedding_model,
                documents=len(index.facet("doc_key")),
                chunks=index.count(),
                sources=dict(sorted(index.facet("source").items())),
                tags=dict(sorted(index.facet("tags").items())),
            )
