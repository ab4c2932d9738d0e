"""Matching the words of a question against a text, forgiving the way people type.

Used for verdicts (does a passage have the question's words?) and for choosing what to quote
of a passage. A question word matches a text when one of its terms (`lexical.tokenize`)
appears in it in some form: "escalate" matches "escalation", "oncall" matches "on-call".
"""

from __future__ import annotations

import os

from knowledge.lexical import tokenize

# Words of a typed question that say nothing about its subject.
_NOISE_WORDS = "doesn don didn isn aren wasn weren won can couldn shouldn wouldn hasn haven now next ok pls"
_NOISE = frozenset(_NOISE_WORDS.split())
# "Every word" must be found this close together (in terms), not scattered over a table.
_WINDOW = 12


def question_words(query: str) -> list[set[str]]:
    """The content words of a question, each as its terms ("on-call" is one word, whose terms
    are "on-call" and "call")."""
    out = []
    for word in query.split():
        terms = set(tokenize(word)) - _NOISE
        if terms:
            out.append(terms)
    return out


def _alike(a: str, b: str) -> bool:
    """Two forms of one word: equal, or sharing all but a short ending ("escalate" and
    "escalation", "rebooting" and "reboot", "enforced" and "enforces")."""
    if a == b:
        return True
    if len(a) < 5 or len(b) < 5 or a[:5] != b[:5]:
        return False
    common = len(os.path.commonprefix([a, b]))
    return common >= min(len(a), len(b)) - 3


class Terms:
    """The terms of a text (a passage, a quoted unit), in order, to match a question's words."""

    def __init__(self, text: str) -> None:
        self.sequence = tokenize(text)
        self.terms = set(self.sequence)
        # "on-call" also matches "oncall".
        self.terms |= {t.replace("-", "") for t in self.terms if "-" in t}
        self._by_prefix: dict[str, list[str]] = {}
        for term in self.terms:
            if len(term) >= 5:
                self._by_prefix.setdefault(term[:5], []).append(term)

    def matches(self, term: str) -> bool:
        if term in self.terms:
            return True
        return len(term) >= 5 and any(_alike(term, t) for t in self._by_prefix.get(term[:5], ()))

    def has(self, word: set[str]) -> bool:
        return any(self.matches(t) for t in word)

    def positions(self, word: set[str]) -> list[int]:
        return [
            i
            for i, t in enumerate(self.sequence)
            if any(t == w or _alike(t, w) or t.replace("-", "") == w for w in word)
        ]

    def near(self, words: list[set[str]]) -> bool:
        """True when some stretch of `_WINDOW` terms has every word."""
        found = [self.positions(word) for word in words]
        if not all(found):
            return False
        return any(all(any(abs(p - q) <= _WINDOW for q in other) for other in found) for p in found[0])
