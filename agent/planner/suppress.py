"""Suppression requests: "suppress finding f-0123... for 30 days because it is a lab bucket",
and lifting one early: "unsuppress finding f-0123...".

The finding is named by its id, or (to suppress) is the one fixable finding of the previous
answer; the expiry and the reason come from the message. Anything missing becomes a question.
"""

from __future__ import annotations

import re
from typing import Any

from agent.planner.base import PastTurn, PlannedCall, PlannerDecision
from agent.planner.calls import SUPPRESS, UNSUPPRESS
from agent.planner.extract import Extraction

_FINDING = re.compile(r"\bf-[0-9a-f]{16}\b", re.I)
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "six": 6}
_DURATION = re.compile(
    r"\bfor\s+(?:(?P<n>\d{1,3})|(?P<word>a|an|one|two|three|four|six))\s+(?P<unit>days?|weeks?|months?|years?)\b",
    re.I,
)
_UNTIL = re.compile(r"\buntil\s+(?P<date>\d{4}-\d{2}-\d{2})\b", re.I)
_REASON = re.compile(r"\b(?:because|reason\s*[:=]?|due\s+to|as)\s+(?P<why>\S.*)$", re.I)
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def _expiry(text: str) -> dict[str, Any]:
    until = _UNTIL.search(text)
    if until:
        return {"until": until.group("date")}
    m = _DURATION.search(text)
    if not m:
        return {}
    n = int(m.group("n")) if m.group("n") else _NUMBER_WORDS[m.group("word").lower()]
    return {"days": min(365, n * _UNIT_DAYS[m.group("unit").lower().rstrip("s")])}


def _reason(text: str) -> str | None:
    m = _REASON.search(text)
    if not m:
        return None
    why = _DURATION.sub("", _UNTIL.sub("", m.group("why"))).strip().rstrip(".!?").strip()
    return why or None


def plan_suppress(ex: Extraction, history: list[PastTurn]) -> PlannerDecision:
    named = _FINDING.search(ex.original)
    finding_id = named.group(0).lower() if named else None
    if finding_id is None:
        recent = next((turn.fixable for turn in reversed(history) if turn.fixable), [])
        ids = list(dict.fromkeys(f.finding_id for f in recent if f.finding_id))
        if len(ids) == 1:
            finding_id = ids[0]
    if finding_id is None:
        return PlannerDecision(
            answer="Which finding should I suppress? Give its id (list_findings shows them), e.g. "
            "'suppress finding f-0123456789abcdef for 30 days because it is a lab account'."
        )
    reason = _reason(ex.original)
    if reason is None:
        return PlannerDecision(
            answer=f"Why should finding {finding_id} be suppressed? Say it with a reason, e.g. "
            f"'suppress finding {finding_id} for 30 days because the bucket only holds public docs'."
        )
    args: dict[str, Any] = {"finding_id": finding_id, "reason": reason, **_expiry(ex.original)}
    return PlannerDecision(calls=[PlannedCall(name=SUPPRESS, args=args)])


def plan_unsuppress(ex: Extraction) -> PlannerDecision:
    named = _FINDING.search(ex.original)
    if named is None:
        return PlannerDecision(
            answer="Which finding's suppression should I lift? Give its id (list suppressed findings to "
            "see them), e.g. 'unsuppress finding f-0123456789abcdef'."
        )
    args: dict[str, Any] = {"finding_id": named.group(0).lower()}
    reason = _reason(ex.original)
    if reason:
        args["reason"] = reason
    return PlannerDecision(calls=[PlannedCall(name=UNSUPPRESS, args=args)])
