"""The knowledge base: one store (embedded Qdrant or a Qdrant server) and one embedding model.

It owns what is long-lived and shared (the open store, the loaded model, the shipped seed
vectors) and serialises access to them; the work itself is done by `knowledge.ingestion`
(bringing the store in line with document sources) and `knowledge.retrieval` (hybrid search
with a relevance floor).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from knowledge import ingestion, retrieval
from knowledge.embeddings import Embedder, model_slug
from knowledge.errors import KnowledgeError
from knowledge.index import Scope, StoreError, VectorIndex
from knowledge.ingestion import Progress
from knowledge.models import IngestReport, KbStats
from knowledge.query import focus
from knowledge.retrieval import SearchOutcome
from knowledge.seed import load_seed, text_key
from knowledge.source_docs import BUNDLED

if TYPE_CHECKING:
    from config import Settings

IndexFactory = Callable[[Callable[[], int], bool], VectorIndex | None]


class KnowledgeBase:
    """One per process and settings: it holds the loaded model and the open store."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        index_factory: IndexFactory | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder.from_settings(settings)
        self._index_factory = index_factory or self._default_index
        self._index: VectorIndex | None = None
        self._lock = threading.RLock()
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

    def _default_index(self, dimension: Callable[[], int], create: bool) -> VectorIndex | None:
        s = self.settings
        if s.qdrant_url:
            from knowledge.index_client import ClientIndex

            key = s.qdrant_api_key.get_secret_value() if s.qdrant_api_key else None
            client = ClientIndex.client_for(s.qdrant_url, key)
            try:
                present = client.collection_exists(self.collection)
            except Exception as exc:  # connection refused, auth
                raise StoreError(f"cannot reach Qdrant at {s.qdrant_url}: {exc}") from exc
            if not present and not create:
                return None
            return ClientIndex(client, self.collection, dimension, location=s.qdrant_url)
        from knowledge.index_edge import EdgeIndex

        if not create and not EdgeIndex.exists(self.edge_path):
            return None
        return EdgeIndex(self.edge_path, dimension)

    def _open(self, create: bool) -> VectorIndex | None:
        with self._lock:
            if self._index is None:
                try:
                    self._index = self._index_factory(self._dimension, create)
                except StoreError as exc:
                    raise KnowledgeError(str(exc)) from exc
            return self._index

    def _open_for_writing(self) -> VectorIndex:
        index = self._open(create=True)
        assert index is not None
        return index

    @property
    def location(self) -> str:
        return self.settings.qdrant_url or str(self.edge_path)

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None

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
        "botocore[:svc,...]"): new and changed documents are indexed, deleted ones removed."""
        with self._lock:
            return ingestion.ingest(self._open_for_writing, specs, self._vectors, progress, s3_client)

    def sync_defaults(self) -> IngestReport | None:
        """Once per process: index the bundled corpus and the configured folders (cheap when
        nothing changed: only hashes are compared)."""
        with self._lock:
            if self.synced:
                return None
            report = self.ingest([BUNDLED, *self.settings.knowledge_paths])
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
        return retrieval.resolve_scope(self._open(create=False), source, tag)

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
        scope = self.scope(source, tag)
        index = self._open(create=False)
        if index is None:
            return SearchOutcome([], 0.0, 0)
        query = focus(query)
        qvec = self.embedder.encode_query(query) if vector is None else vector
        return retrieval.search(index, query, qvec, scope, top_k)

    def stats(self) -> KbStats:
        index = self._open(create=False)
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
