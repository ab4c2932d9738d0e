"""Where a message lives, as a value: platform, tenant, channel, thread.

The agent keys a conversation (its LangGraph thread, the approvals opened in it) by one string,
`conversation_id`. For a platform without a tenant it is `platform:channel:thread` (`main` for a
channel's or a DM's main flow), byte for byte what `ChatMessage.conversation_id` has always made
of a Slack message, so existing checkpoints and approvals keep their threads. A platform whose
ids need a tenant (a Teams tenant) or contain colons (Teams conversation ids do) gets
`platform:tenant:channel:thread`, each part with `%` and `:` escaped; Slack's ids contain
neither, so escaping never changes them.

`parse` is the inverse and refuses anything it would not itself produce, so a stored id that
was cut, hand-edited or made by something else is an error, not a wrong thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.messages import ChatMessage

MAIN = "main"  # the thread part of a conversation without a thread
MAX_PART = 255  # ChatMessage's limit for a channel or a thread
_PLATFORM = re.compile(r"[a-z][a-z0-9_-]{0,31}")
# A thread literally called "main" must not read back as "no thread".
_MAIN_ESCAPED = "%6Dain"
_ESCAPE = re.compile("%(25|3A)")


class BadConversationId(ValueError):
    """A conversation id that no `ConversationRef` produces."""


def _quote(part: str) -> str:
    return part.replace("%", "%25").replace(":", "%3A")


def _unquote(part: str) -> str:
    return _ESCAPE.sub(lambda m: "%" if m.group(1) == "25" else ":", part)


def _check_part(name: str, value: str) -> None:
    if not value:
        raise ValueError(f"a conversation's {name} cannot be empty")
    if len(value) > MAX_PART:
        raise ValueError(f"a conversation's {name} is longer than {MAX_PART} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"a conversation's {name} contains control characters")


@dataclass(frozen=True)
class ConversationRef:
    """One conversation on one platform. `thread` None is the channel's (or DM's) main flow;
    `tenant` is the workspace, team or tenant when the platform needs it to tell channels apart
    (Slack's channel ids are unique already, so Slack leaves it None)."""

    platform: str
    channel: str
    thread: str | None = None
    tenant: str | None = None

    def __post_init__(self) -> None:
        if not _PLATFORM.fullmatch(self.platform):
            raise ValueError(f"not a platform name: {self.platform[:40]!r}")
        _check_part("channel", self.channel)
        if self.thread == "":
            object.__setattr__(self, "thread", None)  # as ChatMessage reads an empty thread
        if self.thread is not None:
            _check_part("thread", self.thread)
        if self.tenant == "":
            object.__setattr__(self, "tenant", None)
        if self.tenant is not None:
            _check_part("tenant", self.tenant)

    @property
    def conversation_id(self) -> str:
        """The agent's key for this conversation (stable: stored in checkpoints and approvals)."""
        if self.thread is None:
            thread = MAIN
        else:
            thread = _MAIN_ESCAPED if self.thread == MAIN else _quote(self.thread)
        parts = [self.platform]
        if self.tenant is not None:
            parts.append(_quote(self.tenant))
        parts += [_quote(self.channel), thread]
        return ":".join(parts)

    @property
    def lane(self) -> str:
        """The ordering lane of the conversation's jobs: its id without the platform (for Slack
        `channel:thread`, the lock its jobs have always had on the durable queue)."""
        return self.conversation_id.split(":", 1)[1]

    def in_thread(self, thread: str | None) -> ConversationRef:
        """The same channel, another thread (e.g. the thread a top-level answer starts)."""
        return ConversationRef(self.platform, self.channel, thread, self.tenant)

    def message(self, user: str, text: str, groups: list[str] | None = None) -> ChatMessage:
        """The agent's message from `user` in this conversation: its `conversation_id` is this
        one's (carried explicitly only where the plain `platform:channel:thread` would differ)."""
        msg = ChatMessage(
            user=user,
            channel=self.channel,
            thread=self.thread,
            text=text,
            platform=self.platform,
            groups=list(groups or []),
        )
        if msg.conversation_id != self.conversation_id:
            msg = msg.model_copy(update={"conversation": self.conversation_id})
        return msg

    @classmethod
    def parse(cls, conversation_id: str) -> ConversationRef:
        """The conversation an id names; `BadConversationId` for an id no ref would produce."""
        parts = conversation_id.split(":")
        if len(parts) == 3:
            platform, tenant, channel, thread = parts[0], None, parts[1], parts[2]
        elif len(parts) == 4:
            platform, tenant, channel, thread = parts[0], parts[1], parts[2], parts[3]
        else:
            raise BadConversationId(f"not a conversation id: {conversation_id[:80]!r}")
        try:
            ref = cls(
                platform,
                _unquote(channel),
                None if thread == MAIN else (MAIN if thread == _MAIN_ESCAPED else _unquote(thread)),
                None if tenant is None else _unquote(tenant),
            )
        except ValueError as exc:
            raise BadConversationId(f"not a conversation id: {conversation_id[:80]!r} ({exc})") from None
        if ref.conversation_id != conversation_id:  # e.g. "%3a", a stray "%", an empty tenant
            raise BadConversationId(f"not a conversation id in its canonical form: {conversation_id[:80]!r}")
        return ref

    @classmethod
    def of(cls, msg: ChatMessage) -> ConversationRef:
        """The conversation of an agent message (the inverse of `message`)."""
        return cls.parse(msg.conversation_id)


@dataclass(frozen=True)
class MessageRef:
    """One message a backend posted (an approval card, a reply): where, and its platform id
    (Slack's ts, a Teams activity id)."""

    conversation: ConversationRef
    message_id: str

    @property
    def key(self) -> str:
        """What the agent stores as an approval's card (`attach_card`): `channel:message_id`,
        which for Slack is the `channel:ts` it has always stored."""
        return f"{_quote(self.conversation.channel)}:{_quote(self.message_id)}"
