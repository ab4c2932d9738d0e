"""Query clean-up: drop the framing around the actual question.

"What does our runbook say about X?" and "is there a runbook for X?" are about X; the words
"runbook", "docs" or "policy" make every document look a little relevant (the glossary
defines "runbook"), which would lift off-topic questions over the relevance floor.
"""

from __future__ import annotations

import re

_DOCS = (
    r"(?:runbooks?|docs?|documentation|wiki|knowledge\s+base|playbooks?|procedures?|standards?"
    r"|polic(?:y|ies))\b"
)
_FRAMING = re.compile(
    rf"""^\s*(?:
        (?:please\s+)?(?:search|look\s+up|check|find)\s+(?:in\s+)?(?:the\s+|our\s+)?{_DOCS}\s+(?:for|about|on)\s+
      | (?:what|how)\s+(?:does|do|did)\s+(?:the\s+|our\s+)?{_DOCS}\s+say\s+(?:about|on|regarding)\s+
      | (?:is|are)\s+there\s+(?:a|an|any)\s+{_DOCS}\s+(?:for|on|about|covering)\s+
      | according\s+to\s+(?:the\s+|our\s+)?{_DOCS}\s*,?\s*
      | (?:what\s+is|what's|where\s+is|where's|show\s+me)\s+(?:the\s+|our\s+)?{_DOCS}\s+(?:for|on|about)\s+
      | do\s+we\s+have\s+(?:a|an|any)\s+{_DOCS}\s+(?:for|on|about)\s+
    )""",
    re.IGNORECASE | re.VERBOSE,
)


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "`": "'"})
# Sentence punctuation around the question (not inside identifiers such as 0.0.0.0/0 or v1.2).
_EDGE_PUNCT = re.compile(r"^[\s?!.,;:'\"()\[\]-]+|[\s?!.,;:'\"()\[\]]+$")
_REPEATED = re.compile(r"([?!.,;:])\1+")
# Contractions typed without the apostrophe.
_CONTRACTIONS = {
    "whats": "what's",
    "hows": "how's",
    "wheres": "where's",
    "whos": "who's",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "cant": "can't",
    "wont": "won't",
    "isnt": "isn't",
    "arent": "aren't",
    "wasnt": "wasn't",
    "shouldnt": "shouldn't",
    "couldnt": "couldn't",
    "wouldnt": "wouldn't",
    "havent": "haven't",
    "hasnt": "hasn't",
}
_CONTRACTION = re.compile(r"\b(" + "|".join(_CONTRACTIONS) + r")\b", re.IGNORECASE)


def normalise(query: str) -> str:
    """The same question however it was typed: straight quotes, one space, no trailing "?"
    or "!!!", apostrophes put back into common contractions. Verdicts must not depend on
    punctuation: "who is on call?" and "who is on call" are the same question."""
    text = " ".join(query.translate(_QUOTES).split())
    text = _REPEATED.sub(r"\1", text)
    text = _EDGE_PUNCT.sub("", text)
    return _CONTRACTION.sub(lambda m: _CONTRACTIONS[m.group(1).lower()], text)


# "what does X mean", "define X": the question is X.
_DEFINE = re.compile(
    r"""^(?:
        what\s+(?:does|do)\s+(?:the\s+(?:term|word|acronym|abbreviation)\s+)?(?P<a>.+?)\s+(?:mean|stand\s+for)
      | (?:define|definition\s+of|meaning\s+of)\s+(?:the\s+(?:term|word)\s+)?(?P<b>.+)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def focus(query: str) -> str:
    """The question, normalised, without its framing, or the normalised query if nothing is left."""
    query = normalise(query)
    stripped = _EDGE_PUNCT.sub("", _FRAMING.sub("", query, count=1).strip())
    define = _DEFINE.match(stripped)
    if define:
        stripped = _EDGE_PUNCT.sub("", define.group("a") or define.group("b") or "")
    return stripped if len(stripped) >= 3 else query
