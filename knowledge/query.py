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
      | (?:what\s+is|what's|where\s+is|show\s+me)\s+(?:the\s+|our\s+)?{_DOCS}\s+(?:for|on|about)\s+
      | do\s+we\s+have\s+(?:a|an|any)\s+{_DOCS}\s+(?:for|on|about)\s+
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def focus(query: str) -> str:
    """The question without its framing, or the query as given if nothing is left."""
    stripped = _FRAMING.sub("", query, count=1).strip()
    return stripped if len(stripped) >= 3 else query.strip()
