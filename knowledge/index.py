"""What the knowledge base needs from a vector store, independent of which Qdrant runs it.

Two implementations share this contract and the same payload layout: `EdgeIndex` (the
embedded Qdrant engine, qdrant-edge, on disk: the default) and `ClientIndex` (qdrant-client,
for a Qdrant server by URL). Everything above this line (ingestion, scoring, citations) is
the same code for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from knowledge.lexical import SparseVec

DENSE = "dense"
SPARSE = "lexical"
RRF_K = 60
# Dense, lexical. Tuned on the labelled questions (knowledge.eval).
RRF_WEIGHTS = (1.0, 1.0)
# Payload fields with a keyword index: filters and facets run inside the engine on these.
KEYWORD_FIELDS = ("doc_key", "doc_version", "source", "tags")


class StoreError(Exception):
    """The store cannot be opened or used (in use by another process, server unreachable ...)."""


@dataclass(frozen=True)
class ChunkRecord:
    id: str
    dense: NDArray[np.float32]
    sparse: SparseVec
    payload: dict[str, Any]


@dataclass(frozen=True)
class Scope:
    """Restrict a search to these exact source values and/or to chunks with any of these tags."""

    sources: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None

    @property
    def empty(self) -> bool:
        return self.sources is None and self.tags is None


@dataclass(frozen=True)
class RawHit:
    id: str
    fused: float
    payload: dict[str, Any]
    dense: NDArray[np.float32] | None


class VectorIndex(Protocol):
    location: str

    def upsert(self, records: Sequence[ChunkRecord]) -> None:
        """Write records in one operation."""

    def delete_doc(self, doc_key: str, keep_hash: str | None = None) -> None:
        """Delete a document's chunks, except those of version `keep_hash`."""

    def facet(self, key: str) -> dict[str, int]:
        """Every value of a keyword field with its number of chunks."""

    def hybrid(
        self, dense: NDArray[np.float32], sparse: SparseVec, scope: Scope, limit: int, candidates: int
    ) -> list[RawHit]:
        """Top `limit` chunks by RRF over the dense and the lexical top `candidates`."""

    def count(self) -> int: ...

    def optimize(self) -> None:
        """Merge segments and build vector indexes after a large write (blocking)."""

    def flush(self) -> None: ...

    def close(self) -> None: ...


def doc_version(doc_key: str, doc_hash: str) -> str:
    return f"{doc_key}\n{doc_hash}"


def split_version(value: str) -> tuple[str, str]:
    key, _, digest = value.rpartition("\n")
    return key, digest
