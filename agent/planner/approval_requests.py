"""Messages about approval requests themselves: "what's the status of that approval?",
"is ap-1234abcd approved yet?", "cancel it", "withdraw ap-1234abcd".

They are not tool calls: the agent answers them from its approval records (the status) or
withdraws the requester's own pending request. Only explicit phrasings match, so "cancel the
reserved instance" or "stop i-…" never land here.
"""

from __future__ import annotations

import re

from agent.planner.base import ApprovalQuery

_F = re.IGNORECASE
_ID = re.compile(r"\bap-[0-9a-f]{6,16}\b", _F)
_REQUEST_WORD = r"(?:approval|request|change|approval\s+request|change\s+request)"
_THAT = rf"(?:that|this|the|my|our|last|latest)\s+(?:\w+\s+)?{_REQUEST_WORD}"
_STATUS = re.compile(
    rf"\b(?:status|state|progress)\s+of\s+(?:{_THAT}|ap-)"
    rf"|\b(?:what|how)(?:'s|\s+is|\s+about)\s+(?:{_THAT}|ap-)"
    rf"|\b(?:is|has|was)\s+(?:{_THAT}|it|ap-[0-9a-f]+)\s+(?:been\s+)?(?:approved|done|executed|decided|applied)"
    rf"|\bany\s+(?:news|update)\s+on\s+(?:{_THAT}|ap-)"
    rf"|^\s*(?:status|approval\s+status)\s*(?:of\s+)?(?:ap-[0-9a-f]+)?\s*\??\s*$"
    # "any pending approvals?", "did anyone approve the sg change yet", "still waiting on approval?"
    rf"|\b(?:any|my|our|the)\s+(?:pending|open|outstanding|waiting)\s+(?:approvals?|{_REQUEST_WORD}s?)\b"
    rf"|^\s*(?:show\s+|list\s+)?(?:pending|outstanding)\s+approvals?\s*\??\s*$"
    rf"|\b(?:did|has|have)\s+(?:anyone|anybody|someone|somebody|they|an?\s+approver)\s+(?:\w+\s+)?approved?\b"
    rf"|\b(?:still\s+)?(?:waiting|pending)\s+(?:on|for)\s+(?:an?\s+|the\s+)?approval\b",
    _F,
)
_WITHDRAW = re.compile(
    rf"^\s*(?:please\s+|ok(?:ay)?,?\s+|actually,?\s+|never\s*mind,?\s+|nvm,?\s+)*"
    rf"(?:cancel|withdraw|retract|scrap|drop|call\s+off|take\s+back)\s+"
    rf"(?:it|that|this|(?:{_THAT})|ap-[0-9a-f]+|(?:my|the)\s+request)\b[\s.!]*(?:please)?[\s.!]*$",
    _F,
)


def approval_query(text: str) -> ApprovalQuery | None:
    found = _ID.search(text)
    approval_id = found.group(0).lower() if found else None
    if _WITHDRAW.search(text):
        return ApprovalQuery(kind="withdraw", approval_id=approval_id)
    if _STATUS.search(text):
        return ApprovalQuery(kind="status", approval_id=approval_id)
    return None
