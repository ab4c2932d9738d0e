"""Typo tolerance for the words the offline planner's rules key on ("lsit", "runbok", "terrafrom").

A word is read as a keyword when it is one edit away from it (two for long words): a swap of two
neighbouring letters, or, for longer words, a letter missing, extra or wrong. Words the rules
already know, names and ids (anything with a digit, '-', '_', '.' or '/') and inflections of a
keyword ("deleted", "listing") are left alone, so only misspellings change. Service names are
corrected by understand.read_service_word, against the cost tool's own vocabulary.
"""

from __future__ import annotations

import re
from functools import cache

from agent.planner.vocab import MONTHS, service_vocabulary

# Words that decide which tool a message asks for.
_KEYWORDS = """
    list show display describe inventory find count instances instance buckets bucket volumes volume
    snapshots snapshot security groups group users user databases database running deployed
    runbook runbooks playbook playbooks procedure procedures process policy policies documentation
    guide guidelines checklist incident escalation postmortem
    terraform cloudformation kubernetes template templates manifest module generate create write
    spend spent spending cost costs costing billing invoice budget forecast projected anomaly anomalies
    spike spikes unusual weird strange savings save saving idle unused unattached
    scan audit public private exposed encrypt encrypted encryption unencrypted versioning rotation
    findings finding severity critical compliance compliant score vulnerable
    close revoke remove delete block enable disable deactivate stop release convert migrate
    region regions account accounts yesterday today month week quarter year last previous
    please what which where when how
    suppress suppressed unsuppress snooze ignore reopen accepted resolved publicly accessible
    sensitivity abnormal forecasts predict prediction opportunities optimization recommendations
    orphaned unassociated elastic
"""

# Real words one edit away from a keyword: never "corrected" ("are our buckets protected?" is not
# about a projection, "funding" is no finding).
_REAL_WORDS = """
    protected protect project projects funding sending serves served posting casting binding willing
    filling killing cunning coast concert plastic excepted revolved sayings listen lister closet
"""

_REAL = frozenset(_REAL_WORDS.split())

# Chat shorthand, word for word ("forecast nxt month", "r any buckets public").
SHORTHAND = {
    "nxt": "next",
    "mnth": "month",
    "mth": "month",
    "wk": "week",
    "wks": "weeks",
    "yr": "year",
    "prev": "previous",
    "acct": "account",
    "accts": "accounts",
    "r": "are",
    "u": "you",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "b4": "before",
    "w/o": "without",
}


@cache
def _vocabulary() -> frozenset[str]:
    words = set(_KEYWORDS.split()) | set(MONTHS)
    words |= {w for w in service_vocabulary() if re.fullmatch(r"[a-z]+", w)}
    return frozenset(words)


_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly", "ally")


def _inflection(word: str, vocabulary: frozenset[str]) -> bool:
    """'deleted', 'listing', 'scanned': a keyword with an ending, not a misspelling."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            if stem in vocabulary or stem + "e" in vocabulary or (len(stem) > 2 and stem[-1] == stem[-2]):
                return True
    return False


def _one_edit(word: str, key: str) -> str | None:
    """'swap', 'drop', 'add' or 'change' when one edit turns `word` into `key`, else None."""
    if len(word) == len(key):
        diff = [i for i, (a, b) in enumerate(zip(word, key, strict=True)) if a != b]
        i = diff[0] if len(diff) == 2 and diff[1] == diff[0] + 1 else -1
        if i >= 0 and word[i] == key[i + 1] and word[i + 1] == key[i]:
            return "swap"
        return "change" if len(diff) == 1 else None
    short, long_ = (word, key) if len(word) < len(key) else (key, word)
    if len(long_) - len(short) != 1:
        return None
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1 :] == short:
            # A letter at the very end is an ending ("costs"), not a typo.
            if i == len(long_) - 1:
                return None
            return "drop" if len(word) < len(key) else "add"
    return None


def _allowed(edit: str, word: str, key: str) -> bool:
    if edit == "swap":
        # Short words whose last two letters are swapped are often words themselves ("cots").
        return len(word) >= 6 or (len(word) >= 4 and word[-1] == key[-1])
    if edit in ("drop", "add"):
        return len(word) >= 5
    return len(word) >= 7


@cache
def correct_word(word: str) -> str:
    """The keyword `word` is a misspelling of (lower case), or `word` itself."""
    lower = word.lower()
    vocabulary = _vocabulary()
    if (
        lower in vocabulary
        or lower in _REAL
        or not lower.isalpha()
        or len(lower) < 4
        or _inflection(lower, vocabulary)
    ):
        return word
    hits = set()
    for key in vocabulary:
        edit = _one_edit(lower, key) if abs(len(key) - len(lower)) <= 1 else None
        if edit == "change" and key[0] != lower[0]:
            # A wrong first letter is another word ("posting", "billing"), rarely a typo.
            continue
        if edit is not None and _allowed(edit, lower, key):
            hits.add(key)
    if len(hits) != 1:
        return word
    return next(iter(hits))


# Plain words only: not names, ids, tags or anything inside quotes or placeholders.
_TOKEN = re.compile(r"(?<![\w./:@=⟨'\"`-])[A-Za-z]{4,}(?![\w./:@=⟩'\"`-])")


_SHORT = re.compile(
    r"(?<![\w./:@=⟨'\"`-])(?:"
    + "|".join(re.escape(w) for w in sorted(SHORTHAND, key=len, reverse=True))
    + r")(?![\w./:@=⟩'\"`-])",
    re.IGNORECASE,
)


def correct(text: str) -> str:
    """`text` with each misspelt keyword replaced by the keyword, and chat shorthand spelt out."""
    text = _SHORT.sub(lambda m: SHORTHAND[m.group(0).lower()] if m.group(0).islower() else m.group(0), text)
    return _TOKEN.sub(lambda m: correct_word(m.group(0)), text)
