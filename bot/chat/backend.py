"""What a chat platform does for the shared plumbing: the `ChatBackend` protocol.

A backend speaks one platform's API and nothing else; everything platform-neutral (dedup,
lanes, rate limits, job hand-off, the idempotency record) lives beside it in `bot/chat/`, and
the agent's side of approvals is `agent/api.py`. The in-memory backend (`bot/chat/memory.py`)
implements it for tests; Slack's is `bot/slack/backend.py`.

Exactly once: a backend used by a job is bound to that job's record (`bot/chat/record.py`), so
a job run again does not post again. A backend decides per call how: a post it can look up
later (Slack's message metadata) is recorded as an intent and found again after a crash; one it
cannot (an ephemeral notice) is done at most once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from agent.messages import ApprovalView, Reply
from bot.chat.conversation import ConversationRef, MessageRef


@dataclass(frozen=True)
class ChatUser:
    """A person as a platform names them, and who they are to the agent."""

    platform_id: str  # Slack's "U024BE7LH", a Teams AAD object id
    canonical: str  # the person (config `[identities]`): what approvals and the audit compare
    # Of the candidate groups asked about (the approval policy's), those the user belongs to.
    groups: frozenset[str] = field(default_factory=frozenset)


@runtime_checkable
class ChatBackend(Protocol):
    """One platform's way of posting and of knowing its users.

    Every method may raise the platform's own errors; the caller (a job) retries or reports
    them. Messages are addressed by `ConversationRef`; posted ones come back as `MessageRef`.
    """

    @property
    def platform(self) -> str:
        """The platform's name, as in `ConversationRef.platform` ("slack", "teams")."""
        ...

    def post_reply(self, where: ConversationRef, reply: Reply) -> MessageRef:
        """Post the agent's reply (text, tables, charts, citations, code; the approval card too
        when `reply.approval` is pending, as `post_approval` would) in `where`; returns its first
        message. A caller that needs the card's ref to attach it posts the reply without the
        approval (`reply.model_copy(update={"approval": None})`) and the card with
        `post_approval`."""
        ...

    def post_approval(self, where: ConversationRef, view: ApprovalView) -> MessageRef:
        """Post the approval card (the request, its plan, Approve / Reject) in `where`. The
        caller attaches the returned ref to the request (`attach_card`), so that a decision is
        honoured only from that card."""
        ...

    def update_approval(self, card: MessageRef, view: ApprovalView) -> None:
        """Replace the card's buttons with the decision (`view.status`, `view.decided_by`).
        Idempotent: an update repeated after a crash is harmless."""
        ...

    def post_private(self, user: str, text: str, where: ConversationRef | None = None) -> None:
        """A notice to one user: seen only by them inside `where` (Slack's ephemeral message),
        or, without `where`, in a direct message from the bot."""
        ...

    def resolve_user(self, user: str, groups: Iterable[str] = ()) -> ChatUser:
        """Who `user` (the platform's id) is: the canonical identity, and which of `groups`
        (the approval policy's group names, as written there) they are a member of. A lookup
        that fails counts as "not a member": approvals are never granted on a guess."""
        ...
