"""Yes/no questions about security ("is the root account using MFA?", "any public buckets?")
get an answer that starts with yes or no and the evidence, before the scan's summary.

The verdict comes from the findings the scan or finding list returned: the ones whose title
shares a topic word with the question are the evidence. A question about a bad state ("public",
"open", "unencrypted") is answered yes when such findings exist; a question about a good state
("using MFA", "encrypted", "enabled") is answered no. With no topic word, no verdict is given.
"""

from __future__ import annotations

import re
from typing import Any

from agent.planner.base import ToolOutcomeView

_QUESTION = re.compile(
    r"^\s*(?:so\s+|and\s+|hey,?\s+)?(?:is|are|r|does|do|did|has|have|can|could|any|anything|"
    r"were|was)\b",
    re.IGNORECASE,
)
_BAD = re.compile(
    r"\b(?:public\w*|open|exposed|world|unencrypted|without|missing|disabled|off|no|not|"
    r"leak\w*|old|stale|unused|unrestricted|anyone|anonymous|insecure|risky|wide)\b",
    re.IGNORECASE,
)
_STOP = frozenset(
    {
        "is",
        "are",
        "r",
        "does",
        "do",
        "did",
        "has",
        "have",
        "can",
        "could",
        "any",
        "anything",
        "were",
        "was",
        "the",
        "a",
        "an",
        "our",
        "we",
        "us",
        "my",
        "of",
        "on",
        "in",
        "for",
        "to",
        "with",
        "and",
        "or",
        "it",
        "its",
        "this",
        "that",
        "there",
        "their",
        "them",
        "they",
        "using",
        "use",
        "used",
        "enabled",
        "set",
        "up",
        "account",
        "accounts",
        "all",
        "every",
        "each",
        "yet",
        "still",
        "right",
        "now",
        "currently",
        "properly",
        "turned",
    }
)
_SCAN_TOOLS = frozenset({"security_scan", "list_findings"})


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 3 and w not in _STOP]


# Nouns that say which resources, not what about them: a question naming only these matches any
# finding on them; one naming more ("public", "mfa") must match on the more.
_GENERIC = frozenset(
    {
        "bucket",
        "buckets",
        "instance",
        "instances",
        "server",
        "servers",
        "key",
        "keys",
        "user",
        "users",
        "group",
        "groups",
        "volume",
        "volumes",
        "role",
        "roles",
        "database",
        "databases",
        "db",
        "dbs",
        "snapshot",
        "snapshots",
        "vpc",
        "vpcs",
        "trail",
        "trails",
        "resource",
        "resources",
        "s3",
        "ec2",
        "iam",
        "rds",
        "ebs",
        "kms",
        "aws",
    }
)


def _stem(word: str) -> str:
    # "unencrypted" and "encryption" name the same topic.
    return (word[2:] if word.startswith("un") and len(word) > 5 else word)[:5]


def yes_no_lead(question: str, results: list[ToolOutcomeView]) -> str | None:
    """The opening "Yes — …" / "No — …" line, or None when this is not such a question."""
    if not _QUESTION.search(question):
        return None
    findings: list[dict[str, Any]] = []
    scanned = False
    for r in results:
        if r.call.name in _SCAN_TOOLS and r.status in ("ok", "no_data") and isinstance(r.data, dict):
            scanned = True
            findings += [f for f in r.data.get("findings") or [] if isinstance(f, dict)]
    words = _words(question)
    specific = {_stem(w) for w in words if w not in _GENERIC and w not in ("no", "not", "off")}
    topic = specific or {_stem(w) for w in words}
    if not scanned or not topic:
        return None
    evidence = [
        f
        for f in findings
        if f.get("status", "open") == "open"
        and topic & {_stem(w) for w in _words(f"{f.get('title', '')} {f.get('rule_id', '')}")}
    ]
    asks_bad = bool(_BAD.search(question))
    if evidence:
        shown = "; ".join(f"{f.get('title', '?')} — {f.get('resource_id', '?')}" for f in evidence[:3])
        more = f" (and {len(evidence) - 3} more)" if len(evidence) > 3 else ""
        return f"{'Yes' if asks_bad else 'No'}: {shown}{more}."
    return f"{'No' if asks_bad else 'Yes'}: no open finding about that in what was checked."
