"""Retrieval: hybrid search over an open index, cut at a relevance floor.

A passage below the floor is not evidence for an answer, so the caller can say "no source
found" instead of quoting the nearest unrelated text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from knowledge.errors import KnowledgeError
from knowledge.index import RawHit, Scope, VectorIndex
from knowledge.lexical import identifiers, query_vector, tokenize
from knowledge.models import Hit

# Below this cosine similarity a passage is not evidence for an answer (unless it contains
# every identifier of the query verbatim). Tuned on the labelled questions and off-topic set.
MIN_SCORE = 0.27


@dataclass(frozen=True)
class SearchOutcome:
    hits: list[Hit]
    # The best similarity among the candidates, kept or not (tells "nothing close" apart).
    best_score: float
    candidates: int


def resolve_scope(index: VectorIndex | None, source: str | None, tag: str | None) -> Scope:
    """Resolve a source substring and a tag into exact values the store filters on."""
    sources = tags = None
    if source:
        needle = source.strip().lower()
        known = index.facet("source") if index else {}
        sources = tuple(s for s in known if needle in s.lower())
        if not sources:
            raise KnowledgeError(f"no indexed document path contains {source!r}")
    if tag:
        wanted = tag.strip().lower()
        known_tags = index.facet("tags") if index else {}
        if wanted not in known_tags:
            listing = ", ".join(sorted(known_tags)[:20]) or "none"
            raise KnowledgeError(f"no indexed document has the tag {tag!r} (tags: {listing})")
        tags = (wanted,)
    return Scope(sources=sources, tags=tags)


def search(
    index: VectorIndex, query: str, qvec: NDArray[np.float32], scope: Scope, top_k: int
) -> SearchOutcome:
    """The best `top_k` passages for `query` (already focused) whose embedding is `qvec`."""
    raw = index.hybrid(qvec, query_vector(query), scope, limit=top_k * 2, candidates=max(50, top_k * 8))
    wanted = set(identifiers(query))
    hits: list[Hit] = []
    best = 0.0
    for rank, item in enumerate(raw, start=1):
        p = item.payload
        score = float(np.dot(qvec, item.dense)) if item.dense is not None else 0.0
        best = max(best, score)
        exact = bool(wanted) and wanted <= set(
            tokenize(f"{p.get('title', '')} {p.get('section', '')} {p.get('text', '')}")
        )
        if score < MIN_SCORE and not exact:
            continue
        hits.append(_hit(item, p, rank, score, exact))
        if len(hits) == top_k:
            break
    return SearchOutcome(hits, round(best, 4), len(raw))


def _hit(item: RawHit, p: dict[str, Any], rank: int, score: float, exact: bool) -> Hit:
    lines = p.get("lines")
    return Hit(
        chunk_id=item.id,
        source=str(p.get("source", "")),
        title=str(p.get("title", "")),
        section=str(p.get("section", "")),
        text=str(p.get("text", "")),
        score=round(score, 4),
        rank=rank,
        lines=(int(lines[0]), int(lines[1])) if isinstance(lines, list) and len(lines) == 2 else None,
        url=p.get("url"),
        tags=list(p.get("tags") or []),
        exact_match=exact,
    )
