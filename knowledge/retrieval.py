"""Retrieval: hybrid search over an open index, cut at a relevance floor.

A passage below the floor is not evidence for an answer, so the caller can say "no source
found" instead of quoting the nearest unrelated text. The verdict for a passage:

- semantic similarity at least `SURE_SCORE`: evidence;
- at least `MIN_SCORE`: evidence only if it also has words of the question, two of them or
  half of them (a question about something the documents never mention lands in this band on
  topic alone: "how do I scale a redis cluster" is close to "Grow the EBS volume" and shares
  no word with it; "the wifi password of the on-call room" shares only "on-call");
- below, evidence only in two cases where words are surer than the encoder: the passage
  has every word of a question of two words or more, close together ("error budget" in a
  glossary paragraph about SLOs, not "owner" and "checkout-api" in different rows of a table),
  and is not unrelated (`LEXICAL_FLOOR`); or the question names
  identifiers a sentence encoder cannot read (`lexical.strong_identifiers`:
  ERR_CERT_DATE_INVALID, CC-4120), the passage contains every one of them verbatim, and it is
  not unrelated (`EXACT_FLOOR`). A hyphenated word such as "on-call" or a service name alone
  never lifts a passage over the floor: a question about something else ("the on-call pizza
  budget") has terms the passage lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from knowledge.errors import KnowledgeError
from knowledge.index import RawHit, Scope, VectorIndex
from knowledge.lexical import query_vector, strong_identifiers
from knowledge.models import Hit
from knowledge.words import Terms, question_words

# Cosine similarities (all-MiniLM-L6-v2), tuned on tests/knowledge/questions.yaml and
# tests/knowledge/verdicts.yaml. Below MIN_SCORE a passage is not evidence for an answer.
MIN_SCORE = 0.27
SURE_SCORE = 0.40
LEXICAL_FLOOR = 0.20
EXACT_FLOOR = 0.12


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
    wanted = set(strong_identifiers(query))
    words = question_words(query)
    hits: list[Hit] = []
    best = 0.0
    for rank, item in enumerate(raw, start=1):
        p = item.payload
        score = float(np.dot(qvec, item.dense)) if item.dense is not None else 0.0
        best = max(best, score)
        passage = Terms(f"{p.get('title', '')} {p.get('section', '')} {p.get('text', '')}")
        exact = bool(wanted) and wanted <= passage.terms
        if not _evidence(score, words, passage, exact):
            continue
        hits.append(_hit(item, p, rank, score, exact))
        if len(hits) == top_k:
            break
    return SearchOutcome(hits, round(best, 4), len(raw))


def _evidence(score: float, words: list[set[str]], passage: Terms, exact: bool) -> bool:
    if score >= SURE_SCORE:
        return True
    shared = sum(1 for word in words if passage.has(word))
    if score >= MIN_SCORE:
        return exact or shared >= 2 or (shared > 0 and 2 * shared >= len(words))
    if exact and score >= EXACT_FLOOR:
        return True
    return score >= LEXICAL_FLOOR and len(words) >= 2 and shared == len(words) and passage.near(words)


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
