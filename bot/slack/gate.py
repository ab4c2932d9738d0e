"""What happens before the ack: filter, deduplicate, rate-limit, hand the work over.

Slack's events parsed into jobs; the claims, the rate limit and the hand-off are the shared
`Admission` (`bot/chat/dedup.py`).

Each `on_*` method runs inside the HTTP request (or Socket Mode envelope), so it makes at most
one or two Redis round trips and never calls the Web API or the agent; the job sink does that.

Exactly once: an event is claimed by its event id and its message by channel + ts (one message
arrives as both `app_mention` and `message` when both are subscribed); a button click is claimed
per approval and user, so retries and double clicks by one person are dropped while it is being
handled. The claim is kept only if the click decided the request: a refused or failed click
releases it (the responder's `release`), so the person can click again. Clicks by different
people race on the approval state machine, which lets exactly one of them decide. A click on a
suggestion button is the clicker asking that text in the button's thread: claimed per message,
button and user, and answered like a typed message (rate limit included).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from bot.chat.dedup import DEDUP_TTL_S, PENDING_TTL_S, Admission
from bot.chat.keystore import KeyStore
from bot.chat.limits import RateLimiter
from bot.slack.approval_blocks import APPROVE_ACTION
from bot.slack.jobs import Answer, Click, Home, Incoming, Job, Notice, SlashCommand
from bot.slack.render import SUGGESTION_PATTERN
from bot.slack.work import JobSink

log = logging.getLogger("cloudpilot.slack")

# A claim is taken for PENDING_TTL_S and kept for DEDUP_TTL_S once its job is queued: if the
# process dies in between, Slack's next retry (one minute later) is not mistaken for a duplicate.
__all__ = [
    "DEDUP_TTL_S",
    "MAX_TEXT",
    "PENDING_TTL_S",
    "THREAD_TTL_S",
    "SlackGate",
    "click_key",
    "strip_mention",
    "suggestion_key",
    "thread_key",
]

THREAD_TTL_S = 7 * 24 * 3600
MAX_TEXT = 8000  # ChatMessage's limit; longer text is cut just past it and refused politely
_PLAIN_SUBTYPES = {None, "thread_broadcast", "file_share"}


def click_key(approval_id: str, user: str) -> str:
    """Held while `user`'s click on `approval_id` is handled, and kept once it decided."""
    return f"action:{approval_id}:{user}"


def suggestion_key(channel: str, message_ts: str, action_id: str, user: str) -> str:
    """Claimed by `user`'s click on one suggestion button of one message: asked once."""
    return f"suggestion:{channel}:{message_ts}:{action_id}:{user}"


def thread_key(channel: str, ts: str) -> str:
    """Set for threads the bot takes part in: replies there need no mention."""
    return f"thread:{channel}:{ts}"


class SlackGate(Admission[Job]):
    def __init__(
        self, keys: KeyStore, limiter: RateLimiter, sink: JobSink, pending_ttl_s: int = PENDING_TTL_S
    ) -> None:
        super().__init__(keys, limiter, sink, pending_ttl_s)

    def on_mention(self, body: dict[str, Any], event: dict[str, Any], bot_user_id: str | None) -> None:
        if not event.get("user") or event.get("bot_id"):
            return
        thread = str(event.get("thread_ts") or event.get("ts") or "")
        text = strip_mention(str(event.get("text", "")), bot_user_id)
        channel = str(event.get("channel", ""))
        self._accept(body, event, Incoming(str(event["user"]), channel, text, thread, thread))

    def on_message(self, body: dict[str, Any], event: dict[str, Any], bot_user_id: str | None) -> None:
        if event.get("subtype") not in _PLAIN_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return  # edits, deletions, joins, our own posts, other bots
        user, channel, text = str(event["user"]), str(event.get("channel", "")), str(event.get("text", ""))
        thread_ts = event.get("thread_ts")
        if event.get("channel_type") == "im":
            # In a DM the main flow is one conversation; a thread in a DM is its own.
            incoming = Incoming(user, channel, strip_mention(text, bot_user_id), thread_ts, thread_ts)
        elif (
            thread_ts
            and (not bot_user_id or f"<@{bot_user_id}>" not in text)
            and self.keys.exists(thread_key(channel, thread_ts))
        ):
            # A follow-up without a mention in a thread we are part of (mentions come as app_mention).
            incoming = Incoming(user, channel, text[: MAX_TEXT + 1], thread_ts, thread_ts)
        else:
            return  # channel chatter that is not for us
        self._accept(body, event, incoming)

    def on_command(self, command: dict[str, Any]) -> str | None:
        """Hands the command over; returns the text to ack with when there is nothing to do."""
        text = str(command.get("text") or "").strip()
        if not text:
            name = command.get("command") or "/cloudpilot"
            return (
                "Ask me about costs, security findings, resources or runbooks, e.g. "
                f"`{name} what did we spend on EC2 last month?`"
            )
        trigger = str(command.get("trigger_id") or "")
        user, channel = str(command.get("user_id", "")), str(command.get("channel_id", ""))
        claims = [f"command:{trigger}"] if trigger else []
        decision = self.count(user, claims)
        if decision is None:
            return None
        if not decision.allowed:
            self.seen(claims)
            return decision.message()
        response_url = str(command.get("response_url") or "")
        key = f"command:{trigger or uuid.uuid4().hex}"
        self.submit(key, SlashCommand(user, channel, text[: MAX_TEXT + 1], response_url, key), claims)
        return None

    def on_action(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        container = body.get("container") or {}
        channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
        message_ts = str(container.get("message_ts") or (body.get("message") or {}).get("ts") or "")
        approval_id = str(action.get("value") or "")[:100]
        if not user or not channel:
            return
        # A double click or a retried payload is dropped here while the first is handled or after
        # it decided; a click that decided nothing has released the claim by then.
        claim = click_key(approval_id, user)
        if not self.claim(claim):
            return
        key = f"click:{approval_id}:{user}:{str(action.get('action_ts') or '')[:40] or uuid.uuid4().hex}"
        click = Click(approval_id, action.get("action_id") == APPROVE_ACTION, user, channel, message_ts, key)
        self.submit(f"approval:{approval_id}", click, [claim])

    def on_suggestion(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A suggestion button: the clicker asks its text in the thread the button is in."""
        user = str((body.get("user") or {}).get("id") or "")
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
        message_ts = str(container.get("message_ts") or message.get("ts") or "")
        thread_ts = str(container.get("thread_ts") or message.get("thread_ts") or "") or None
        action_id = str(action.get("action_id") or "")
        text = str(action.get("value") or "").strip()[: MAX_TEXT + 1]
        if not user or not channel or not text or not SUGGESTION_PATTERN.match(action_id):
            return
        if thread_ts is None and not channel.startswith("D"):
            thread_ts = message_ts or None  # a top-level answer in a channel: its thread
        # A DM's main flow stays the main flow; anywhere else the conversation is the thread.
        incoming = Incoming(user, channel, text, thread_ts, thread_ts)
        self._admit(incoming, [suggestion_key(channel, message_ts, action_id, user)])

    def on_home(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """The user opened the Home tab: publish their view (claimed per event, not rate-limited:
        it answers nobody in a conversation and a view replaces the last one)."""
        user = str(event.get("user") or "")
        if event.get("tab") != "home" or not user:
            return  # the Messages tab, or nobody
        event_id = str(body.get("event_id") or "")
        claims = [f"event:{event_id}"] if event_id else []
        if claims and not self.claim(claims[0]):
            return
        key = f"home:{event_id or uuid.uuid4().hex}"
        self.submit(f"home:{user}", Home(user, key), claims)

    def _accept(self, body: dict[str, Any], event: dict[str, Any], incoming: Incoming) -> None:
        claims = [f"msg:{incoming.channel}:{event.get('ts')}"]
        if body.get("event_id"):
            claims.insert(0, f"event:{body['event_id']}")
        self._admit(incoming, claims)

    def _admit(self, incoming: Incoming, claims: list[str]) -> None:
        # A thread the bot is mentioned in becomes one it follows without mentions.
        followed = bool(incoming.reply_ts) and not incoming.channel.startswith("D")
        touch = [thread_key(incoming.channel, incoming.reply_ts or "")] if followed else []
        decision = self.count(incoming.user, claims, touch, THREAD_TTL_S)
        if decision is None:
            return  # a retry, or the same message under another event type
        # The job's key is the message itself (the last claim), whichever event type brought it.
        key = claims[-1]
        if decision.allowed:
            self.submit(incoming.lane, Answer(incoming, key), claims)
        elif decision.first_refusal:
            notice = Notice(
                incoming.channel, incoming.user, decision.message(), incoming.reply_ts, "notice:" + key
            )
            self.submit(incoming.lane, notice, claims)
        else:
            self.seen(claims)


def strip_mention(text: str, bot_user_id: str | None) -> str:
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    return text.strip()[: MAX_TEXT + 1]
