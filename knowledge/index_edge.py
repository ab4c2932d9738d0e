"""The embedded store: Qdrant's own engine in-process (qdrant-edge), persisted on disk.

Unlike qdrant-client's local mode (payload filters evaluated in Python, one commit per
point), the edge shard filters through real payload indexes, writes a batch as one
operation and searches with HNSW once segments are optimised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
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


class EdgeIndex:
    def __init__(self, path: Path, dimension: Callable[[], int]) -> None:
        """Open the shard at `path`, creating it (which needs the model's dimension) if absent."""
        import qdrant_edge as qe

        self._qe = qe
        self.location = str(path)
        self._closed = False
        try:
            if self.exists(path):
                self._shard = qe.EdgeShard.load(str(path))
            else:
                config = qe.EdgeConfig(
                    vectors={DENSE: qe.EdgeVectorParams(size=dimension(), distance=qe.Distance.Cosine)},
                    sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
                )
                path.mkdir(parents=True, exist_ok=True)
                self._shard = qe.EdgeShard.create(str(path), config)
                for name in KEYWORD_FIELDS:
                    self._shard.update(
                        qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword)
                    )
        except Exception as exc:  # the bindings raise plain Exception
            if "WouldBlock" in str(exc):
                raise StoreError(f"the knowledge base shard at {path} is open in another process") from exc
            raise StoreError(f"cannot open the knowledge base at {path}: {exc}") from exc

    @staticmethod
    def exists(path: Path) -> bool:
        return (path / "edge_config.json").is_file()

    def _sparse(self, vec: SparseVec) -> Any:
        return self._qe.SparseVector(vec.indices, vec.values)

    def upsert(self, records: Sequence[ChunkRecord]) -> None:
        if not records:
            return
        qe = self._qe
        points = [
            qe.Point(r.id, {DENSE: r.dense.tolist(), SPARSE: self._sparse(r.sparse)}, r.payload)
            for r in records
        ]
        self._shard.update(qe.UpdateOperation.upsert_points(points))

    def delete_doc(self, doc_key: str, keep_hash: str | None = None) -> None:
        qe = self._qe
        must = [qe.FieldCondition("doc_key", match=qe.MatchValue(doc_key))]
        must_not = []
        if keep_hash is not None:
            must_not.append(
                qe.FieldCondition("doc_version", match=qe.MatchValue(doc_version(doc_key, keep_hash)))
            )
        self._shard.update(
            qe.UpdateOperation.delete_points_by_filter(qe.Filter(must=must, must_not=must_not))
        )

    def facet(self, key: str) -> dict[str, int]:
        response = self._shard.facet(self._qe.FacetRequest(key, limit=_FACET_LIMIT, exact=True))
        # Exact facets of qdrant-edge 0.9 still list values whose points were deleted, with
        # a count of 0.
        return {str(hit.value): int(hit.count) for hit in response if hit.count > 0}

    def _filter(self, scope: Scope) -> Any:
        qe = self._qe
        if scope.empty:
            return None
        must = []
        if scope.sources is not None:
            must.append(qe.FieldCondition("source", match=qe.MatchAny(list(scope.sources))))
        if scope.tags is not None:
            must.append(qe.FieldCondition("tags", match=qe.MatchAny(list(scope.tags))))
        return qe.Filter(must=must)

    def hybrid(
        self, dense: NDArray[np.float32], sparse: SparseVec, scope: Scope, limit: int, candidates: int
    ) -> list[RawHit]:
        qe = self._qe
        prefetches = [qe.Prefetch(limit=candidates, query=qe.Query.Nearest(dense.tolist(), using=DENSE))]
        weights = [RRF_WEIGHTS[0]]
        if sparse:
            weights.append(RRF_WEIGHTS[1])
            prefetches.append(
                qe.Prefetch(limit=candidates, query=qe.Query.Nearest(self._sparse(sparse), using=SPARSE))
            )
        request = qe.QueryRequest(
            limit=limit,
            prefetches=prefetches,
            query=qe.Fusion.Rrf(k=RRF_K, weights=weights),
            filter=self._filter(scope),
            with_payload=True,
            with_vector=[DENSE],
        )
        hits = []
        for point in self._shard.query(request):
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
        return int(self._shard.count(self._qe.CountRequest(exact=True)))

    def optimize(self) -> None:
        """Merge segments and build the HNSW index (worth it after a large ingest)."""
        self._shard.optimize()

    def flush(self) -> None:
        self._shard.flush()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._shard.flush()
        self._shard.close()
