"""Graph state. Everything in it is JSON-able so the checkpointer can persist it anywhere."""

from __future__ import annotations

from typing import Any, Literal, TypedDict


class TurnState(TypedDict, total=False):
    kind: Literal["turn", "approval"]
    conversation_id: str
    user: str
    channel: str
    groups: list[str]
    text: str
    # Conversation memory (PastTurn dumps), carried across turns by the checkpointer.
    history: list[dict[str, Any]]
    # This turn: planned calls, guard verdicts, outcomes of executed calls.
    calls: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]
    direct_answer: str | None
    # Approval flow.
    approval_ids: list[str]
    approval_id: str | None
    decision: dict[str, Any] | None
    reply: dict[str, Any] | None


HISTORY_LIMIT = 20
