"""Suppression requests: "suppress finding f-0123... for 30 days because it is a lab bucket",
and lifting one early: "unsuppress finding f-0123...".

The finding is named by its id, or (to suppress) is the one fixable finding of the previous
answer; the expiry and the reason come from the message. Anything missing becomes a question.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from agent.planner.base import PastTurn, PlannedCall, PlannerDecision
from agent.planner.calls import SUPPRESS, UNSUPPRESS
from agent.planner.extract import Extraction

_FINDING = re.compile(r"\bf-[0-9a-f]{16}\b", re.I)
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12}
_UNITS = r"(?P<unit>days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?)"
# "for 30 days", "for a week", or just "14 days" after the finding.
_DURATION = re.compile(
    r"\b(?:for\s+(?:another\s+|the\s+next\s+)?)?(?:(?P<n>\d{1,3})\s*|(?P<word>a|an|one|two|three|four|six|twelve)\s+)"
    + _UNITS
    + r"\b",
    re.I,
)
_UNTIL_WORD = r"\b(?:until|till|til|through|thru|up\s+to|to)\s+"
_UNTIL = re.compile(_UNTIL_WORD + r"(?P<date>\d{4}-\d{2}-\d{2})\b", re.I)
# "till end of year", "until the end of the quarter", "until EOM".
_UNTIL_END = re.compile(
    _UNTIL_WORD
    + r"(?:the\s+)?(?:end\s+of\s+(?:the\s+|this\s+)?(?P<unit>year|quarter|month|week)|eo(?P<short>[yqmw]))\b",
    re.I,
)
_REASON = re.compile(
    r"\b(?:because|since|reason\s*[:=]?|due\s+to|as|cause|cuz|bc)\s+(?P<why>\S.*)$"
    r"|(?:[,;:\u2013\u2014]|(?:^|\s)-{1,2}(?=\s))\s*(?P<after>\S.*)$",
    re.I,
)
_UNIT_DAYS = {"d": 1, "day": 1, "w": 7, "wk": 7, "week": 7, "mo": 30, "month": 30, "yr": 365, "year": 365}


def _period_end(unit: str, today: date) -> date:
    if unit == "year":
        return date(today.year, 12, 31)
    if unit == "week":
        return today + timedelta(days=6 - today.weekday())
    last = 3 * ((today.month - 1) // 3 + 1) if unit == "quarter" else today.month
    return date(today.year + last // 12, last % 12 + 1, 1) - timedelta(days=1)


def _expiry(text: str, today: date | None) -> dict[str, Any]:
    until = _UNTIL.search(text)
    if until:
        return {"until": until.group("date")}
    end = _UNTIL_END.search(text)
    if end:
        unit = (
            end.group("unit")
            or {"y": "year", "q": "quarter", "m": "month", "w": "week"}[end.group("short").lower()]
        )
        return {"until": _period_end(unit.lower(), today or date.today()).isoformat()}
    m = _DURATION.search(text)
    if not m:
        return {}
    n = int(m.group("n")) if m.group("n") else _NUMBER_WORDS[m.group("word").lower()]
    unit = m.group("unit").lower()
    days = _UNIT_DAYS.get(unit) or _UNIT_DAYS[unit.rstrip("s")]
    return {"days": max(1, min(365, n * days))}


def _without_expiry(text: str) -> str:
    return _DURATION.sub("", _UNTIL_END.sub("", _UNTIL.sub("", text)))


def _reason(text: str) -> str | None:
    """Why: after "because"/"reason:", or after a comma, colon or dash that follows the request
    ("suppress f-… for 30 days, it's a test bucket")."""
    named = _FINDING.search(text)
    # The reason follows the finding when it is named ("risk accepted for f-…, docs bucket").
    start = named.end() if named else 0
    m = _REASON.search(text, start)
    while m is not None:
        why = _without_expiry(m.group("why") or m.group("after") or "")
        why = why.strip(" \t,;:-\u2013\u2014").rstrip(".!?").strip()
        if len(why) >= 3 and re.search(r"[A-Za-z]{2}", why):
            return why
        # Only an expiry after the separator ("f-…, for 30 days - lab"): look further on.
        m = _REASON.search(text, m.start() + 1)
    return None


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
    args: dict[str, Any] = {"finding_id": finding_id, "reason": reason, **_expiry(ex.original, ex.today)}
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
