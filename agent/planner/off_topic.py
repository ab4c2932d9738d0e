"""Requests for writing that is not infrastructure: "write me a poem about kubernetes".

Checked before any routing: a cloud word in such a request ("kubernetes", "s3") would otherwise
send it to a tool that answers a different question (a manifest instead of a poem).
"""

from __future__ import annotations

import re

_CREATIVE = re.compile(
    r"\b(?:write|compose|make\s+up|tell|give|make|generate|draft)\s+(?:me\s+|us\s+)?(?:a\s+|an\s+|some\s+)?"
    r"(?:\w+\s+)?(?:poem|poetry|haiku|limerick|sonnet|song|lyrics|rap|story|joke|riddle|essay)s?\b",
    re.IGNORECASE,
)

ANSWER = (
    "That's outside what I do: I answer questions about cloud costs, security findings, "
    "inventory and runbooks, make approved fixes, and write infrastructure code. Say 'help' for examples."
)


def off_topic_answer(text: str) -> str | None:
    """The refusal for a creative-writing request, else None."""
    return ANSWER if _CREATIVE.search(text) else None
