"""A Qdrant server (by URL) through qdrant-client, for scale and for sharing one index.

The same payload layout and query plan as the embedded store: two prefetches (dense and
lexical) fused with RRF, filters on indexed keyword fields.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from knowledge.index import (
    DENSE,
    KEYWORD_FIELDS,
    RRF_K,
    RRF_WEIGHTS,
    SPARSE,
    ChunkRecord,
    RawHit,
    Scope,
    StoreError,
    doc_version,
)
from knowledge.lexical import SparseVec

_FACET_LIMIT = 10_000_000
_UPSERT_BATCH = 256


class ClientIndex:
    def __init__(self, client: Any, collection: str, dimension: Callable[[], int], location: str) -> None:
        """Use `collection`, creating it (which needs the model's dimension) if absent."""
        from qdrant_client import models

        self._m = models
        self._client = client
        self.collection = collection
        self.location = location
        try:
            if not client.collection_exists(collection):
                client.create_collection(
                    collection,
                    vectors_config={
                        DENSE: models.VectorParams(size=dimension(), distance=models.Distance.COSINE)
                    },
                    sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                )
                with warnings.catch_warnings():
                    # Local mode (used in tests) says payload indexes have no effect there.
                    warnings.simplefilter("ignore", UserWarning)
                    for name in KEYWORD_FIELDS:
                        client.create_payload_index(collection, name, models.PayloadSchemaType.KEYWORD)
        except Exception as exc:  # connection refused, auth, server errors
            raise StoreError(f"cannot use Qdrant at {location}: {exc}") from exc

    @staticmethod
    def client_for(url: str, api_key: str | None) -> Any:
        from qdrant_client import QdrantClient

        with warnings.catch_warnings():
            # qdrant-client warns about API keys over plain http; that is the operator's choice.
            warnings.simplefilter("ignore", UserWarning)
            return QdrantClient(url=url, api_key=api_key, timeout=30)

    def _sparse(self, vec: SparseVec) -> Any:
        return self._m.SparseVector(indices=vec.indices, values=vec.values)

    def upsert(self, records: Sequence[ChunkRecord]) -> None:
        m = self._m
        for start in range(0, len(records), _UPSERT_BATCH):
            points = [
                m.PointStruct(
                    id=r.id,
                    vector={DENSE: r.dense.tolist(), SPARSE: self._sparse(r.sparse)},
                    payload=r.payload,
                )
                for r in records[start : start + _UPSERT_BATCH]
            ]
            self._client.upsert(self.collection, points=points, wait=True)

    def delete_doc(self, doc_key: str, keep_hash: str | None = None) -> None:
        m = self._m
        must_not = []
        if keep_hash is not None:
            must_not.append(
                m.FieldCondition(key="doc_version", match=m.MatchValue(value=doc_version(doc_key, keep_hash)))
            )
        selector = m.Filter(
            must=[m.FieldCondition(key="doc_key", match=m.MatchValue(value=doc_key))], must_not=must_not
        )
        self._client.delete(self.collection, points_selector=m.FilterSelector(filter=selector), wait=True)

    def facet(self, key: str) -> dict[str, int]:
        response = self._client.facet(self.collection, key, limit=_FACET_LIMIT, exact=True)
        return {str(hit.value): int(hit.count) for hit in response.hits}

    def _filter(self, scope: Scope) -> Any:
        m = self._m
        if scope.empty:
            return None
        must = []
        if scope.sources is not None:
            must.append(m.FieldCondition(key="source", match=m.MatchAny(any=list(scope.sources))))
        if scope.tags is not None:
            must.append(m.FieldCondition(key="tags", match=m.MatchAny(any=list(scope.tags))))
        return m.Filter(must=must)

    def hybrid(
        self, dense: NDArray[np.float32], sparse: SparseVec, scope: Scope, limit: int, candidates: int
    ) -> list[RawHit]:
        m = self._m
        flt = self._filter(scope)
        prefetch = [m.Prefetch(query=dense.tolist(), using=DENSE, limit=candidates, filter=flt)]
        weights = [RRF_WEIGHTS[0]]
        if sparse:
            weights.append(RRF_WEIGHTS[1])
            prefetch.append(
                m.Prefetch(query=self._sparse(sparse), using=SPARSE, limit=candidates, filter=flt)
            )
        response = self._client.query_points(
            self.collection,
            prefetch=prefetch,
            query=m.RrfQuery(rrf=m.Rrf(k=RRF_K, weights=weights)),
            query_filter=flt,
            limit=limit,
            with_payload=True,
            with_vectors=[DENSE],
        )
        hits = []
        for point in response.points:
            vectors = point.vector
            vec = vectors.get(DENSE) if isinstance(vectors, dict) else None
            hits.append(
                RawHit(
                    id=str(point.id),
                    fused=float(point.score),
                    payload=dict(point.payload or {}),
                    dense=np.asarray(vec, dtype=np.float32) if isinstance(vec, list) else None,
                )
            )
        return hits

    def count(self) -> int:
        return int(self._client.count(self.collection, exact=True).count)

    def optimize(self) -> None:
        """A Qdrant server runs its optimisers in the background."""

    def flush(self) -> None:
        """Writes are acknowledged with wait=True; nothing is buffered client-side."""

    def close(self) -> None:
        self._client.close()
