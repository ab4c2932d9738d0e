"""What the knowledge base needs from a vector store, independent of which Qdrant runs it.

Two implementations share this contract and the same payload layout: `EdgeIndex` (the
embedded Qdrant engine, qdrant-edge, on disk: the default) and `ClientIndex` (qdrant-client,
for a Qdrant server by URL). Everything above this line (ingestion, scoring, citations) is
the same code for both.

How readers and an ingest share an index is the `IndexStore`: `knowledge.edge_store.EdgeStore`
for the embedded engine (immutable generations, one private copy per process), `SharedStore`
for a server (every process uses the one collection).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
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
    """The store cannot be opened or used (damaged, disk full, server unreachable ...)."""


class StoreDamaged(StoreError):
    """The store's current version is gone; an ingest rebuilds it from the documents."""


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


@dataclass
class Writer:
    """An index open for an ingest. `base` names the version it started from (None for a shared
    server, where every write is live); set `publish` for the writes to become visible."""

    index: VectorIndex
    base: str | None
    publish: bool = False


class IndexStore(Protocol):
    """Where the index lives and how readers and an ingest share it."""

    location: str

    def reading(self) -> AbstractContextManager[tuple[VectorIndex | None, str | None]]:
        """The index to search now (None: nothing indexed yet) and its version; other threads of
        the process do not swap it while the block runs."""

    def writing(
        self, wait: bool = True, on_wait: Callable[[str], None] | None = None
    ) -> AbstractContextManager[Writer | None]:
        """An index to ingest into, one ingest at a time; None when another ingest holds it and
        `wait` is false (`on_wait` is told why before a wait)."""

    def close(self) -> None: ...


class SharedStore:
    """One index every reader and writer uses directly: a Qdrant server, which serves any
    number of processes and applies each write as it comes."""

    def __init__(self, factory: Callable[[bool], VectorIndex | None], location: str) -> None:
        self._factory = factory
        self.location = location
        self._index: VectorIndex | None = None
        self._lock = threading.RLock()

    def _get(self, create: bool) -> VectorIndex | None:
        if self._index is None:
            self._index = self._factory(create)
        return self._index

    @contextmanager
    def reading(self) -> Iterator[tuple[VectorIndex | None, str | None]]:
        with self._lock:
            index = self._get(create=False)
        yield index, None

    @contextmanager
    def writing(
        self, wait: bool = True, on_wait: Callable[[str], None] | None = None
    ) -> Iterator[Writer | None]:
        with self._lock:
            index = self._get(create=True)
        assert index is not None
        yield Writer(index, None)
        index.flush()

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None


def doc_version(doc_key: str, doc_hash: str) -> str:
    return f"{doc_key}\n{doc_hash}"


def split_version(value: str) -> tuple[str, str]:
    key, _, digest = value.rpartition("\n")
    return key, digest
