"""A `ChatBackend` in memory, recording every call: for tests of the shared plumbing and of
anything written against the protocol, with no platform (or fake server) behind it."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agent.messages import ApprovalView, Reply
from bot.chat.backend import ChatUser
from bot.chat.conversation import ConversationRef, MessageRef


@dataclass(frozen=True)
class Posted:
    """One call the backend received: `kind` is the method's name."""

    kind: str  # "reply" | "approval" | "update" | "private"
    where: ConversationRef | None
    user: str | None = None  # a private notice's recipient
    text: str = ""
    reply: Reply | None = None
    view: ApprovalView | None = None
    ref: MessageRef | None = None  # what the call posted, or the card it updated


@dataclass
class MemoryBackend:
    """Posts are kept in `posts`, in order. `members` maps a group name to its members'
    platform ids; `canonical` maps a platform id to a canonical name (default: itself, lower
    case, as `config.identity` would normalise it)."""

    name: str = "memory"
    members: Mapping[str, Iterable[str]] = field(default_factory=dict)
    canonical: Callable[[str], str] = str.lower
    posts: list[Posted] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def platform(self) -> str:
        return self.name

    def _record(self, posted: Posted) -> None:
        with self._lock:
            self.posts.append(posted)

    def _ref(self, where: ConversationRef) -> MessageRef:
        with self._lock:
            return MessageRef(where, f"m{next(self._ids)}")

    def post_reply(self, where: ConversationRef, reply: Reply) -> MessageRef:
        ref = self._ref(where)
        self._record(Posted("reply", where, text=reply.text, reply=reply, ref=ref))
        if reply.approval is not None and reply.approval.status == "pending":
            self.post_approval(where, reply.approval)
        return ref

    def post_approval(self, where: ConversationRef, view: ApprovalView) -> MessageRef:
        ref = self._ref(where)
        self._record(Posted("approval", where, text=f"approval {view.id}", view=view, ref=ref))
        return ref

    def update_approval(self, card: MessageRef, view: ApprovalView) -> None:
        self._record(Posted("update", card.conversation, text=view.status, view=view, ref=card))

    def post_private(self, user: str, text: str, where: ConversationRef | None = None) -> None:
        self._record(Posted("private", where, user=user, text=text))

    def resolve_user(self, user: str, groups: Iterable[str] = ()) -> ChatUser:
        mine = frozenset(g for g in groups if user in set(self.members.get(g, ())))
        return ChatUser(user, self.canonical(user), mine)

    # -- for assertions ----------------------------------------------------------------------
    def of_kind(self, kind: str) -> list[Posted]:
        with self._lock:
            return [p for p in self.posts if p.kind == kind]
