"""What the Slack app does with messages, slash commands and approval clicks.

Each `on_*` method runs inside the HTTP request (or Socket Mode envelope) before the ack, so it
only deduplicates, rate-limits and queues: no Web API call and no agent work happens there.
The queued jobs then talk to the agent and to Slack.

Exactly once: an event is claimed by its event id and its message by channel + ts (one message
arrives as both `app_mention` and `message` when both are subscribed); a button click is claimed
per approval and user, so retries and double clicks by one person are dropped; clicks by
different people race on the approval state machine, which lets exactly one of them decide.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from agent.messages import ApprovalView, ChatMessage, Reply
from agent.runner import error_ref
from agent.turn import Agent
from bot.slack import blocks as bk
from bot.slack.approval_blocks import APPROVE_ACTION, decided_message, pending_message
from bot.slack.groups import GroupResolver
from bot.slack.keystore import KeyStore
from bot.slack.limits import RateLimiter
from bot.slack.render import Rendered, render_reply
from bot.slack.work import WorkQueue

log = logging.getLogger("cloudpilot.slack")

WORKING = ":hourglass_flowing_sand: Working on it…"
DEDUP_TTL_S = 24 * 3600
THREAD_TTL_S = 7 * 24 * 3600
MAX_TEXT = 8000  # ChatMessage's limit
_APPROVAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PLAIN_SUBTYPES = {None, "thread_broadcast", "file_share"}


@dataclass(frozen=True)
class Incoming:
    """A message to answer: where it came from and where the answer goes."""

    user: str
    channel: str
    text: str
    reply_ts: str | None  # thread to answer in; None = top level (a DM's main flow)
    thread: str | None  # the agent conversation's thread (None = the channel's main flow)

    @property
    def lane(self) -> str:
        return f"{self.channel}:{self.thread or 'main'}"


@dataclass(frozen=True)
class Click:
    approval_id: str
    approve: bool
    user: str
    channel: str
    message_ts: str


class SlackFrontend:
    def __init__(
        self,
        agent: Agent,
        client: WebClient,
        keys: KeyStore,
        limiter: RateLimiter,
        groups: GroupResolver,
        work: WorkQueue,
    ) -> None:
        self.agent = agent
        self.client = client
        self.keys = keys
        self.limiter = limiter
        self.groups = groups
        self.work = work

    # -- fast paths: called before the ack ---------------------------------------------------
    def on_mention(self, body: dict[str, Any], event: dict[str, Any], bot_user_id: str | None) -> None:
        if not self._first_event(body) or not event.get("user") or event.get("bot_id"):
            return
        thread = str(event.get("thread_ts") or event.get("ts") or "")
        self._accept(
            event,
            Incoming(
                user=str(event["user"]),
                channel=str(event.get("channel", "")),
                text=_strip_mention(str(event.get("text", "")), bot_user_id),
                reply_ts=thread,
                thread=thread,
            ),
        )

    def on_message(self, body: dict[str, Any], event: dict[str, Any], bot_user_id: str | None) -> None:
        if not self._first_event(body):
            return
        if event.get("subtype") not in _PLAIN_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return  # edits, deletions, joins, our own posts, other bots
        channel = str(event.get("channel", ""))
        thread_ts = event.get("thread_ts")
        text = str(event.get("text", ""))
        if event.get("channel_type") == "im":
            # In a DM the main flow is one conversation; a thread in a DM is its own.
            incoming = Incoming(
                str(event["user"]),
                channel,
                _strip_mention(text, bot_user_id),
                reply_ts=thread_ts,
                thread=thread_ts,
            )
        elif (
            thread_ts
            and (not bot_user_id or f"<@{bot_user_id}>" not in text)
            and self.keys.exists(f"thread:{channel}:{thread_ts}")
        ):
            # A follow-up without a mention, in a thread we are part of (mentions come as app_mention).
            incoming = Incoming(str(event["user"]), channel, text, reply_ts=thread_ts, thread=thread_ts)
        else:
            return
        self._accept(event, incoming)

    def on_command(self, command: dict[str, Any]) -> str | None:
        """Queues the command's answer; returns the text to ack with when there is nothing to do."""
        text = str(command.get("text") or "").strip()
        if not text:
            name = command.get("command") or "/cloudpilot"
            return (
                f"Ask me about costs, security findings, resources or runbooks, e.g. "
                f"`{name} what did we spend on EC2 last month?`"
            )
        trigger = str(command.get("trigger_id") or "")
        if trigger and not self.keys.claim(f"command:{trigger}", DEDUP_TTL_S):
            return None
        user, channel = str(command.get("user_id", "")), str(command.get("channel_id", ""))
        decision = self.limiter.hit(user)
        if not decision.allowed:
            return decision.message()
        self.work.submit(
            f"command:{trigger}",
            lambda: self._guard(
                lambda: self._answer_command(user, channel, text, str(command.get("response_url") or "")),
                channel,
                None,
                user,
                ephemeral=True,
            ),
        )
        return None

    def on_action(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        container = body.get("container") or {}
        channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
        message_ts = str(container.get("message_ts") or (body.get("message") or {}).get("ts") or "")
        approval_id = str(action.get("value") or "")[:100]
        if not user or not channel:
            return
        # One decision per person and request: a double click or a retried payload is dropped here.
        if not self.keys.claim(f"action:{approval_id}:{user}", DEDUP_TTL_S):
            return
        click = Click(approval_id, action.get("action_id") == APPROVE_ACTION, user, channel, message_ts)
        self.work.submit(
            f"approval:{approval_id}",
            lambda: self._guard(
                lambda: self._decide(click),
                channel,
                None,
                user,
                ephemeral=True,
            ),
        )

    def _first_event(self, body: dict[str, Any]) -> bool:
        event_id = body.get("event_id")
        return not event_id or self.keys.claim(f"event:{event_id}", DEDUP_TTL_S)

    def _accept(self, event: dict[str, Any], incoming: Incoming) -> None:
        if not self.keys.claim(f"msg:{incoming.channel}:{event.get('ts')}", DEDUP_TTL_S):
            return
        decision = self.limiter.hit(incoming.user)
        if not decision.allowed:
            if decision.first_refusal:
                self.work.submit(
                    incoming.lane,
                    lambda: self._guard(
                        lambda: self._ephemeral(
                            incoming.channel, incoming.user, decision.message(), incoming.reply_ts
                        ),
                        incoming.channel,
                        incoming.reply_ts,
                        incoming.user,
                        ephemeral=True,
                    ),
                )
            return
        if incoming.reply_ts and incoming.channel and not incoming.channel.startswith("D"):
            self.keys.claim(f"thread:{incoming.channel}:{incoming.reply_ts}", THREAD_TTL_S)
        self.work.submit(
            incoming.lane,
            lambda: self._guard(
                lambda: self._answer(incoming),
                incoming.channel,
                incoming.reply_ts,
                incoming.user,
            ),
        )

    # -- background jobs ---------------------------------------------------------------------
    def _guard(
        self,
        job: Callable[[], None],
        channel: str,
        reply_ts: str | None,
        user: str,
        *,
        ephemeral: bool = False,
    ) -> None:
        """Runs a job; a failure reaches the user as a short message with a reference id."""
        try:
            job()
        except Exception:
            ref = error_ref()
            log.exception("slack job failed (ref %s) in %s", ref, channel)
            text = f":warning: Sorry, something went wrong (reference {ref})."
            try:
                if ephemeral:
                    self._ephemeral(channel, user, text, reply_ts)
                else:
                    self.client.chat_postMessage(channel=channel, thread_ts=reply_ts, text=text)
            except Exception:
                log.exception("could not report error %s to Slack", ref)

    def _answer(self, incoming: Incoming) -> None:
        placeholder = self.client.chat_postMessage(
            channel=incoming.channel, thread_ts=incoming.reply_ts, text=WORKING
        )
        try:
            message = ChatMessage(
                user=incoming.user,
                channel=incoming.channel,
                thread=incoming.thread,
                text=incoming.text,
                platform="slack",
            )
        except ValidationError:
            reply = Reply(
                text=f"That message is too long for me: please keep it under {MAX_TEXT} characters.", ok=False
            )
        else:
            reply = self.agent.handle(message)
        self._deliver(reply, incoming.channel, incoming.reply_ts, str(placeholder["ts"]))

    def _answer_command(self, user: str, channel: str, text: str, response_url: str) -> None:
        try:
            root = self.client.chat_postMessage(channel=channel, text=f"<@{user}> asked: {bk.escape(text)}")
        except SlackApiError as exc:
            if exc.response.get("error") not in ("not_in_channel", "channel_not_found") or not response_url:
                raise
            # The bot cannot post here (e.g. a private channel it is not in): answer privately.
            self._respond_privately(user, channel, text, response_url)
            return
        ts = str(root["ts"])
        self.keys.claim(f"thread:{channel}:{ts}", THREAD_TTL_S)
        self._answer(Incoming(user, channel, text, reply_ts=ts, thread=ts))

    def _respond_privately(self, user: str, channel: str, text: str, response_url: str) -> None:
        reply = self.agent.handle(
            ChatMessage(user=user, channel=channel, thread=None, text=text, platform="slack")
        )
        rendered = render_reply(reply)
        hook = WebhookClient(response_url)
        for message in rendered.messages:
            hook.send(text=message.text, blocks=message.blocks, response_type="ephemeral")
        if rendered.files or (reply.approval and reply.approval.status == "pending"):
            hook.send(
                text="Charts, attachments and approval buttons need the app in this channel: "
                "invite it with `/invite @CloudPilot`.",
                response_type="ephemeral",
            )

    def _deliver(self, reply: Reply, channel: str, reply_ts: str | None, placeholder_ts: str | None) -> None:
        rendered: Rendered = render_reply(reply)
        first, *rest = rendered.messages
        if placeholder_ts:
            self.client.chat_update(channel=channel, ts=placeholder_ts, text=first.text, blocks=first.blocks)
        else:
            self.client.chat_postMessage(
                channel=channel, thread_ts=reply_ts, text=first.text, blocks=first.blocks
            )
        for message in rest:
            self.client.chat_postMessage(
                channel=channel, thread_ts=reply_ts, text=message.text, blocks=message.blocks
            )
        for f in rendered.files:
            self.client.files_upload_v2(
                channel=channel,
                thread_ts=reply_ts,
                filename=f.filename,
                title=f.title,
                alt_txt=f.alt_text or None,
                **({"file": str(f.path)} if f.path is not None else {"content": f.content or b""}),
            )
        if reply.approval is not None and reply.approval.status == "pending":
            self._post_approval(reply.approval, channel, reply_ts)

    def _post_approval(self, view: ApprovalView, channel: str, reply_ts: str | None) -> None:
        text, blocks = pending_message(view)
        posted = self.client.chat_postMessage(channel=channel, thread_ts=reply_ts, text=text, blocks=blocks)
        # Where the buttons live: a click is honoured only from this very message.
        self.agent.rt.approvals.approvals.set_message_ref(view.id, f"{channel}:{posted['ts']}")

    def _decide(self, click: Click) -> None:
        approvals = self.agent.rt.approvals
        known = _APPROVAL_ID.match(click.approval_id)
        approval = approvals.approvals.get(click.approval_id) if known else None
        if approval is None:
            log.warning("click by %s on unknown approval %r", click.user, click.approval_id[:80])
            self._ephemeral(
                click.channel,
                click.user,
                f"I know of no approval request {click.approval_id[:64]!r}; nothing was done.",
            )
            return
        reply_ts = _thread_of(approval.conversation_id)
        if approval.message_ref != f"{click.channel}:{click.message_ts}":
            log.warning(
                "click by %s on approval %s from message %s:%s, not its own (%s): refused",
                click.user,
                approval.id,
                click.channel,
                click.message_ts,
                approval.message_ref,
            )
            self._ephemeral(
                click.channel,
                click.user,
                f"This button does not belong to approval {approval.id}'s request; nothing was done.",
                reply_ts,
            )
            return
        _, policy_groups = approvals.policy.approvers_for(approval.action)
        groups = self.groups.groups_of(click.user, sorted(policy_groups)) if policy_groups else set()
        reply = self.agent.decide(approval.id, click.user, click.approve, groups)
        view = reply.approval
        decided_here = (
            view is not None and view.status != "pending" and (reply.ok or view.decided_by == click.user)
        )
        if not decided_here or view is None:
            # Refused, already decided by someone else, or unknown: only the clicker hears of it.
            self._ephemeral(click.channel, click.user, f":no_entry: {reply.text}", reply_ts)
            return
        text, blocks = decided_message(view)
        self.client.chat_update(channel=click.channel, ts=click.message_ts, text=text, blocks=blocks)
        self._deliver(reply, click.channel, reply_ts, None)

    def _ephemeral(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        self.client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)


def _strip_mention(text: str, bot_user_id: str | None) -> str:
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    return text.strip()[: MAX_TEXT + 1]


def _thread_of(conversation_id: str) -> str | None:
    """The Slack thread of an approval's conversation ("slack:<channel>:<thread>")."""
    parts = conversation_id.split(":", 2)
    if len(parts) == 3 and parts[0] == "slack" and parts[2] != "main":
        return parts[2]
    return None
