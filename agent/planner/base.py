"""The planner interface: what the graph asks a planner, and what a planner answers.

Two implementations share it: the offline (rule-based) planner and the LLM planner. Planners
only propose calls by tool name and arguments; validation, approvals and execution belong to
the graph.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from tools.base import Fix


class PlannedCall(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    id: str = ""  # tool-call id (LLM) or generated


# What a previous turn found that "fix it" can act on: the tools' own `Fix`.
FixSuggestion = Fix


class PastTurn(BaseModel):
    """Conversation memory the graph keeps per conversation."""

    text: str
    calls: list[PlannedCall] = Field(default_factory=list)
    answer: str = ""
    fixable: list[FixSuggestion] = Field(default_factory=list)


class ApprovalQuery(BaseModel):
    """A question about, or the withdrawal of, an approval request (not a tool: approvals are
    the agent's own records). `approval_id` None means this conversation's latest request."""

    kind: Literal["status", "withdraw"]
    approval_id: str | None = None


class PlannerDecision(BaseModel):
    calls: list[PlannedCall] = Field(default_factory=list)
    # A direct answer (greeting, help, clarification) when no tool is needed.
    answer: str | None = None
    approval_query: ApprovalQuery | None = None
    # Likely readings of an unclear message, offered as short phrasings the user can pick
    # (buttons in Slack); the answer's text already lists them for plain-text front ends.
    suggestions: list[str] = Field(default_factory=list)


class ToolSpec(BaseModel):
    """What a planner knows of a tool; the lead builds these from the registry."""

    name: str
    description: str
    mutating: bool
    parameters: dict[str, Any]  # JSON schema of the input model


class ToolOutcomeView(BaseModel):
    """A tool's outcome as a planner sees it."""

    call: PlannedCall
    status: str
    message: str
    data: Any = None


class PlannerUnavailable(RuntimeError):
    """The planner's model could not be reached or failed; the turn cannot be planned by it."""


class PlannerConfigError(ValueError):
    """The LLM settings cannot produce a working planner (e.g. a missing API key)."""


class Planner(Protocol):
    def plan(
        self, text: str, history: list[PastTurn], tools: list[ToolSpec], now: datetime
    ) -> PlannerDecision: ...

    def compose(self, text: str, history: list[PastTurn], results: list[ToolOutcomeView]) -> str: ...

    def repair(
        self,
        text: str,
        history: list[PastTurn],
        tools: list[ToolSpec],
        failed: PlannedCall,
        error: str,
        now: datetime,
    ) -> PlannerDecision: ...


class PlannerTimeout(PlannerUnavailable):
    """The model did not answer before the turn's deadline (a hung or very slow endpoint)."""


class LoopRound(BaseModel):
    """One step of the agent loop as the model reads it at the next step: the calls it made (as the
    guard let them through, or refused them) and what each returned, already trimmed to the budget."""

    calls: list[PlannedCall]
    results: list[str]
