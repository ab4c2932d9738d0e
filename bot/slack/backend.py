"""Slack as a `ChatBackend` (`bot/chat/backend.py`): Web API calls bound to one job's record.

Posts go through the job's `Steps`, so a job run again does not post again: messages are found
by the key in their metadata, ephemeral notices happen at most once (the caller decides). A
private notice without a conversation is a direct message (`conversations.open`, which needs
the `im:write` scope, then `chat.postMessage`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from slack_sdk import WebClient

from agent.api import canonical_user
from agent.messages import ApprovalView, Reply
from agent.turn import Agent
from bot.chat.backend import ChatUser
from bot.chat.conversation import ConversationRef, MessageRef
from bot.slack.approval_blocks import decided_message, pending_message
from bot.slack.groups import GroupResolver
from bot.slack.render import Rendered, render_reply
from bot.slack.steps import Steps

PLATFORM = "slack"


def where(channel: str, thread_ts: str | None = None) -> ConversationRef:
    """A Slack channel (or DM) and thread as a conversation."""
    return ConversationRef(PLATFORM, channel, thread_ts)


class SlackBackend:
    def __init__(self, client: WebClient, agent: Agent, groups: GroupResolver, steps: Steps) -> None:
        self.client = client
        self.agent = agent
        self.groups = groups
        self.steps = steps

    @property
    def platform(self) -> str:
        return PLATFORM

    def post_reply(self, where: ConversationRef, reply: Reply) -> MessageRef:
        rendered = render_reply(reply)
        first = rendered.messages[0]
        ts = self.steps.post("reply0", where.channel, where.thread, text=first.text, blocks=first.blocks)
        self.post_rest(rendered, where)
        if reply.approval is not None and reply.approval.status == "pending":
            self.post_approval(where, reply.approval)
        return MessageRef(where, ts)

    def post_rest(self, rendered: Rendered, where: ConversationRef) -> None:
        """Everything of a rendered reply after its first message: more messages, then files."""
        channel, reply_ts = where.channel, where.thread
        for i, message in enumerate(rendered.messages[1:], start=1):
            self.steps.post(f"message{i}", channel, reply_ts, text=message.text, blocks=message.blocks)
        for i, f in enumerate(rendered.files):
            self.steps.once(
                f"file{i}",
                lambda f=f: self.client.files_upload_v2(  # type: ignore[misc]
                    channel=channel,
                    thread_ts=reply_ts,
                    filename=f.filename,
                    title=f.title,
                    alt_txt=f.alt_text or None,
                    **({"file": str(f.path)} if f.path is not None else {"content": f.content or b""}),
                ),
            )

    def post_approval(self, where: ConversationRef, view: ApprovalView) -> MessageRef:
        text, blocks = pending_message(view)
        ts = self.steps.post(f"approval:{view.id}", where.channel, where.thread, text=text, blocks=blocks)
        return MessageRef(where, ts)

    def update_approval(self, card: MessageRef, view: ApprovalView) -> None:
        text, blocks = decided_message(view)
        channel = card.conversation.channel
        self.client.chat_update(channel=channel, ts=card.message_id, text=text, blocks=blocks)

    def post_private(self, user: str, text: str, where: ConversationRef | None = None) -> None:
        if where is not None:
            self.client.chat_postEphemeral(
                channel=where.channel, user=user, text=text, thread_ts=where.thread
            )
            return
        # conversations.open returns the same DM channel every time: safe to repeat on a rerun.
        opened = self.client.conversations_open(users=user)
        channel = str((opened.get("channel") or {}).get("id") or "")
        if not channel:
            raise RuntimeError(f"conversations.open gave no channel for {user}")
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        self.steps.post(f"dm:{user}:{digest}", channel, None, text=text)

    def resolve_user(self, user: str, groups: Iterable[str] = ()) -> ChatUser:
        candidates = sorted(set(groups))
        member_of = self.groups.groups_of(user, candidates) if candidates else set()
        return ChatUser(user, canonical_user(self.agent, user), frozenset(member_of))
