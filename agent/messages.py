"""What front-ends send to the agent and what they get back: platform-neutral."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tools.base import Fix
from tools.presentation import Chart, Citation, CodeBlock, Table


class ChatMessage(BaseModel):
    user: str = Field(min_length=1, max_length=255)
    channel: str = Field(default="terminal", max_length=255)
    thread: str | None = Field(default=None, max_length=255)
    text: str = Field(max_length=8000)
    platform: str = "terminal"
    # Chat user groups the sender belongs to (resolved by the front-end), for policy checks.
    groups: list[str] = Field(default_factory=list)
    # The identity of what this message answers (a chat event, a queued job's key), set by a
    # front-end that may run the same turn again after a crash: the approval requests the turn
    # makes are keyed by it, so a rerun finds them instead of making new ones. None: unkeyed.
    turn_key: str | None = Field(default=None, min_length=1, max_length=1000)
    # The conversation's id when `platform:channel:thread` cannot name it (a tenant, colons in
    # the ids): set by `ConversationRef.message` (bot/chat/conversation.py), else None.
    conversation: str | None = Field(default=None, max_length=1100)

    @property
    def conversation_id(self) -> str:
        """Stable per thread: `platform:channel:thread` (the thread falls back to the channel)."""
        return self.conversation or f"{self.platform}:{self.channel}:{self.thread or 'main'}"


class ToolCallView(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class ApprovalView(BaseModel):
    id: str
    action: str
    resource_id: str
    plan: dict[str, Any]
    status: str
    requester: str
    approvers: list[str] = Field(default_factory=list)
    expires_at: datetime | None = None
    decided_by: str | None = None
    result: dict[str, Any] | None = None


class Reply(BaseModel):
    text: str
    tool_calls: list[ToolCallView] = Field(default_factory=list)
    data: Any = None
    tables: list[Table] = Field(default_factory=list)
    charts: list[Chart] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    code: list[CodeBlock] = Field(default_factory=list)
    approval: ApprovalView | None = None
    # What the results offer to fix ("fix it" acts on these), whichever tools found them.
    fixes: list[Fix] = Field(default_factory=list)
    # Likely readings of an unclear message, as phrasings to pick from (not in `contract()`).
    suggestions: list[str] = Field(default_factory=list)
    # Set when something went wrong; the reference id points at the log entry with details.
    error_ref: str | None = None
    ok: bool = True

    def contract(self) -> dict[str, Any]:
        """The `cloudpilot ask --json` contract: keep these keys stable."""
        approval = None
        if self.approval is not None:
            approval = {
                "id": self.approval.id,
                "action": self.approval.action,
                "resource_id": self.approval.resource_id,
                "plan": self.approval.plan,
                "status": self.approval.status,
            }
        return {
            "tool_calls": [c.model_dump(mode="json") for c in self.tool_calls],
            "answer": self.text,
            "data": self.data,
            "approval": approval,
        }
