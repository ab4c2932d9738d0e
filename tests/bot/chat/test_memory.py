"""The in-memory backend implements the protocol and records what it was asked to do."""

from __future__ import annotations

from agent.messages import ApprovalView, Reply
from bot.chat.backend import ChatBackend
from bot.chat.conversation import ConversationRef
from bot.chat.memory import MemoryBackend


def view(status: str = "pending") -> ApprovalView:
    return ApprovalView(
        id="ap-1", action="close_port", resource_id="sg-1", plan={}, status=status, requester="alice"
    )


def test_memory_backend_records_calls() -> None:
    backend = MemoryBackend(members={"oncall": ["U2"]})
    assert isinstance(backend, ChatBackend)
    where = ConversationRef("memory", "c1", "t1")
    first = backend.post_reply(where, Reply(text="planned", approval=view()))
    assert first.conversation == where
    card = backend.of_kind("approval")[0].ref  # a pending approval's card comes with the reply
    assert card is not None and card != first
    backend.update_approval(card, view("approved"))
    backend.post_private("U2", "psst", where)
    backend.post_private("U2", "a DM")
    assert [p.kind for p in backend.posts] == ["reply", "approval", "update", "private", "private"]
    backend.post_reply(where, Reply(text="planned", approval=view()).model_copy(update={"approval": None}))
    assert len(backend.of_kind("approval")) == 1
    assert backend.of_kind("private")[1].where is None
    assert backend.resolve_user("U2", ["oncall", "dbas"]).groups == {"oncall"}
    assert backend.resolve_user("U1", ["oncall"]).groups == frozenset()
    assert backend.resolve_user("Bob").canonical == "bob"
