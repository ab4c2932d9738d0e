"""The sparse lexical vector: BM25 term weights computed here, IDF applied by Qdrant.

Identifiers are what a dense model blurs: an error code (ERR_DISK_FULL), a resource id
(sg-0a1b2c3d, i-0123abcd), an API or command name (DescribeInstances, pg_repack). Each
compound token is kept whole, so such a query matches exactly, and is also split into parts
(and camelCase words), so "describe instances" still finds DescribeInstances.

Token ids are a stable 31-bit hash, so the vocabulary needs no storage and never drifts
between processes. Document weights use a fixed average length rather than the corpus
average: a corpus-dependent value would force re-indexing every chunk whenever one changes.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

K1 = 1.2
B = 0.75
AVG_LEN = 120.0

_COMPOUND = re.compile(r"[A-Za-z0-9]+(?:[-_./:@][A-Za-z0-9]+)*")
_SPLIT = re.compile(r"[-_./:@]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

_STOPWORDS = """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves also may might must shall get got via
    us let lets please tell know want need"""
STOPWORDS = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class SparseVec:
    indices: list[int]
    values: list[float]

    def __bool__(self) -> bool:
        return bool(self.indices)


def _stem(word: str) -> str:
    """A deliberately light stemmer: plurals only, so identifiers are never mangled."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _is_identifier(raw: str) -> bool:
    return (
        bool(_SPLIT.search(raw))
        or any(c.isdigit() for c in raw)
        or (any(c.isupper() for c in raw[1:]) and any(c.islower() for c in raw))
    )


def tokenize(text: str) -> list[str]:
    """Terms of a text: whole identifiers, their parts, and plain words (lower-cased)."""
    out: list[str] = []
    for match in _COMPOUND.finditer(text):
        raw = match.group(0)
        if not _is_identifier(raw):
            word = raw.lower()
            if word not in STOPWORDS and len(word) > 1:
                out.append(_stem(word))
            continue
        out.append(raw.lower())
        for part in _SPLIT.split(raw):
            # Hex ids and names like "ec2" stay whole; only alphabetic camelCase is split.
            words = _CAMEL.findall(part) if part.isalpha() else [part]
            if len(words) > 1 and part != raw:
                out.append(part.lower())
            if words == [raw]:
                continue
            for word in words:
                low = word.lower()
                if low not in STOPWORDS and (len(low) > 1 or low.isdigit()):
                    out.append(_stem(low))
    return out


def term_id(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=4).digest(), "big") & 0x7FFFFFFF


def document_vector(text: str) -> SparseVec:
    """BM25 term-frequency part for a stored chunk (Qdrant's IDF modifier supplies the rest)."""
    counts = Counter(tokenize(text))
    length = sum(counts.values())
    norm = K1 * (1 - B + B * length / AVG_LEN)
    weights: dict[int, float] = {}
    for term, tf in counts.items():
        tid = term_id(term)
        weights[tid] = weights.get(tid, 0.0) + tf * (K1 + 1) / (tf + norm)
    ids = sorted(weights)
    return SparseVec(ids, [weights[i] for i in ids])


def query_vector(text: str) -> SparseVec:
    """Each distinct query term counts once; rarity is weighed by IDF in the store."""
    ids = sorted({term_id(t) for t in tokenize(text)})
    return SparseVec(ids, [1.0] * len(ids))


def identifiers(text: str) -> list[str]:
    """The identifier-like tokens of a query, lower-cased."""
    return [m.group(0).lower() for m in _COMPOUND.finditer(text) if _is_identifier(m.group(0))]


def _is_strong(raw: str) -> bool:
    letters = sum(c.isalpha() for c in raw)
    return (
        len(raw) >= 5
        and letters > 0
        and (
            any(c.isdigit() for c in raw)
            or "_" in raw
            or (any(c.isupper() for c in raw[1:]) and any(c.islower() for c in raw))
            or (raw.isupper() and bool(_SPLIT.search(raw)))
        )
    )


def strong_identifiers(text: str) -> list[str]:
    """Identifiers a sentence encoder cannot read, so that only an exact match finds them: an
    error code (ERR_CERT_DATE_INVALID), a name with digits (CC-4120, i-0abc123), a camelCase API
    name (DescribeInstances), snake_case (pg_repack). Hyphenated words ("on-call",
    "checkout-api") and short tokens ("ec2", "sev1") are ordinary words to the encoder."""
    return [m.group(0).lower() for m in _COMPOUND.finditer(text) if _is_strong(m.group(0))]
