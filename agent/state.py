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
    # Calls a tool-calling client chose itself (MCP, `Agent.call_tool`): the planner is skipped and
    # no model repairs, loops or words the answer; the guard, access policy and dry run are the same.
    direct_calls: list[dict[str, Any]] | None
    # Conversation memory (PastTurn dumps), carried across turns by the checkpointer.
    history: list[dict[str, Any]]
    # This turn: planned calls, guard verdicts, outcomes of executed calls.
    calls: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]
    direct_answer: str | None
    # Likely readings the planner offers with its direct answer (PlannerDecision.suggestions).
    suggestions: list[str]
    store_answer: bool
    # The agent loop (LLM only; agent/turn_nodes.py). `steps`: model steps taken this turn;
    # `again`: run_tools sends the turn back to plan; `rounds`: LoopRound dumps the model reads at
    # the next step; `turn_calls`: every call the guard let through this turn; `step_rejected`:
    # this step's rejected calls; `deadline`: time.monotonic() instant by which every model call of
    # the turn must have answered; `llm_note`: the line saying the built-in planner took over.
    steps: int
    again: bool
    rounds: list[dict[str, Any]]
    turn_calls: list[dict[str, Any]]
    step_rejected: list[dict[str, Any]]
    deadline: float | None
    llm_note: str | None
    # Approval flow. `turn_key`: `platform:ChatMessage.turn_key` (None when unkeyed); the turn's
    # requests are stored under (turn_key, index of the change), so a rerun finds them.
    turn_key: str | None
    approval_ids: list[str]
    # Requests the requester withdrew this turn: their waiting approval threads are closed.
    withdrawn_ids: list[str]
    approval_id: str | None
    decision: dict[str, Any] | None
    reply: dict[str, Any] | None


HISTORY_LIMIT = 20
