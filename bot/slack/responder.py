"""The work after the ack: run the agent, post and update messages, decide approvals.

Runs on the job sink's threads, in the serving process, in its worker process or in a
`cloudpilot serve worker` taking jobs from the durable queue. Any failure reaches the user as a
short message with a reference id; the details go to the log.

Exactly once: every job has a key and an idempotency record (`bot/serve/ledger.py`) under it.
A job run again — retried after a failure, or after its worker was killed at any point — skips
what the record says is done: the placeholder and every message it posted (recorded as an
intent before the call and with its ts after it; an intent without a ts is looked up in the
thread by the key carried in the message's metadata, so a message posted just before a crash
is found, not posted again), the agent's reply (kept, so the turn is not asked twice), the
decision of a click. Edits (`chat.update`) are repeated harmlessly. Ephemeral notices and file
uploads cannot be looked up: an intent without a result is not repeated (at most once).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import ValidationError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from agent.api import (
    approval_card,
    approver_groups,
    attach_card,
    latest_critical_findings,
    recent_requests,
    waiting_for,
)
from agent.failures import failure_text
from agent.messages import ApprovalView, ChatMessage, Reply
from agent.runner import error_ref
from agent.turn import Agent
from bot.chat.conversation import BadConversationId, ConversationRef, MessageRef
from bot.chat.responder import Release, count_turn, decided, kept_reply, release_click, run_job
from bot.serve.ledger import Ledger, MemoryLedger
from bot.serve.logs import turn_id
from bot.slack import blocks as bk
from bot.slack.approval_notices import notify_approvers
from bot.slack.backend import PLATFORM, SlackBackend, where
from bot.slack.gate import MAX_TEXT
from bot.slack.groups import GroupResolver
from bot.slack.home import home_view
from bot.slack.jobs import Answer, Click, Home, Incoming, Job, Notice, SlashCommand, kind_of
from bot.slack.render import Rendered, render_reply
from bot.slack.steps import METADATA_TYPE as METADATA_TYPE
from bot.slack.steps import Steps as Steps
from config.metrics import APPROVAL_DECISIONS

log = logging.getLogger("cloudpilot.slack")

WORKING = ":hourglass_flowing_sand: Working on it…"
_APPROVAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

Follow = Callable[[str, str], None]  # (channel, thread ts): the bot now takes part in that thread


class SlackResponder:
    def __init__(
        self,
        agent: Agent,
        client: WebClient,
        groups: GroupResolver,
        follow: Follow,
        release: Release | None = None,
        ledger: Ledger | None = None,
    ) -> None:
        self.agent = agent
        self.client = client
        self.groups = groups
        self.follow = follow
        self.release = release
        self.ledger: Ledger = ledger or MemoryLedger()

    def run(self, job: Job, final: bool = True, queued: bool = False) -> None:
        """Does the job (the parts its record does not list as done), in the shared frame
        (`bot/chat/responder.py`: retries, the apology, dead jobs)."""
        steps = Steps(self.ledger, job.key, self.client)

        def work() -> None:
            if isinstance(job, Answer):
                self._answer(job.incoming, steps, final)
            elif isinstance(job, SlashCommand):
                self._command(job, steps, final)
            elif isinstance(job, Click):
                self._click(job, steps)
            elif isinstance(job, Home):
                self._home(job)
            else:
                steps.once("notice", lambda: self._ephemeral(job.channel, job.user, job.text, job.thread_ts))

        run_job(
            steps,
            kind_of(job),
            work,
            lambda ref, error: self._apologise(job, ref, error=error),
            final=final,
            queued=queued,
            log=log,
        )

    def _apologise(
        self, job: Job, ref: str, placeholder_ts: str | None = None, error: BaseException | None = None
    ) -> None:
        """A short message with the reference; the details are in the log under it."""
        text = ":warning: " + (
            failure_text(error, ref) if error else f"Sorry, something went wrong (reference {ref})."
        )
        try:
            if isinstance(job, Answer):
                channel, thread_ts = job.incoming.channel, job.incoming.reply_ts
                if placeholder_ts:
                    try:
                        self.client.chat_update(channel=channel, ts=placeholder_ts, text=text, blocks=[])
                        return
                    except SlackApiError:
                        pass  # e.g. the update is what failed: say it in a new message
                self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
            elif isinstance(job, Notice):
                self._ephemeral(job.channel, job.user, text, job.thread_ts)
            elif isinstance(job, Home):
                # No conversation to apologise in: the tab itself says it.
                self.client.views_publish(
                    user_id=job.user, view={"type": "home", "blocks": bk.sections(text)}
                )
            else:
                self._ephemeral(job.channel, job.user, text)
        except Exception:
            log.exception("could not report error %s to Slack", ref)

    # -- conversations -------------------------------------------------------------------------
    def _answer(self, incoming: Incoming, steps: Steps, final: bool = True) -> None:
        placeholder_ts = steps.post("placeholder", incoming.channel, incoming.reply_ts, text=WORKING)
        try:
            reply = self._kept_reply(steps, lambda: self._reply_to(incoming))
            rendered = render_reply(reply)
            if not steps.value("first"):
                self._post_first(rendered, incoming.channel, incoming.reply_ts, placeholder_ts)
                steps.mark("first")
        except Exception as exc:
            if not final:
                raise
            ref = error_ref()
            log.exception("answering in %s failed (ref %s)", incoming.lane, ref)
            self._apologise(Answer(incoming), ref, placeholder_ts, exc)
            return
        try:
            self._post_rest(rendered, reply, incoming.channel, incoming.reply_ts, steps)
        except Exception:  # the answer is there; say what is missing below it, not instead of it
            if not final:
                raise
            ref = error_ref()
            log.exception("attachments in %s failed (ref %s)", incoming.lane, ref)
            steps.once("rest-apology", lambda: self._apologise(Answer(incoming), ref))

    def _kept_reply(self, steps: Steps, make: Callable[[], Reply]) -> Reply:
        """The agent's reply, asked once: a rerun of the job reuses the recorded one."""
        return kept_reply(steps, make, log)

    def _reply_to(self, incoming: Incoming) -> Reply:
        try:
            message = ChatMessage(
                user=incoming.user,
                channel=incoming.channel,
                thread=incoming.thread,
                text=incoming.text,
                platform="slack",
                turn_key=turn_id.get(),  # the job's key: a rerun of the turn finds its approval requests
            )
        except ValidationError:
            return Reply(
                text=f"That message is too long for me: please keep it under {MAX_TEXT} characters.", ok=False
            )
        started = time.perf_counter()
        reply = self.agent.handle(message)
        count_turn("slack", started, reply)
        return reply

    def _command(self, job: SlashCommand, steps: Steps, final: bool = True) -> None:
        try:
            ts = steps.post("root", job.channel, None, text=f"<@{job.user}> asked: {bk.escape(job.text)}")
        except SlackApiError as exc:
            if (
                exc.response.get("error") not in ("not_in_channel", "channel_not_found")
                or not job.response_url
            ):
                raise
            # The bot cannot post here (e.g. a private channel it is not in): answer privately.
            steps.once("private", lambda: self._respond_privately(job))
            return
        self.follow(job.channel, ts)
        self._answer(Incoming(job.user, job.channel, job.text, reply_ts=ts, thread=ts), steps, final)

    def _respond_privately(self, job: SlashCommand) -> None:
        reply = self.agent.handle(
            ChatMessage(user=job.user, channel=job.channel, thread=None, text=job.text, platform="slack")
        )
        # No suggestion buttons: a click could not be answered where the bot cannot post.
        rendered = render_reply(reply.model_copy(update={"suggestions": []}))
        hook = WebhookClient(job.response_url)
        for message in rendered.messages:
            hook.send(text=message.text, blocks=message.blocks, response_type="ephemeral")
        if rendered.files or (reply.approval and reply.approval.status == "pending"):
            hook.send(
                text="Charts, attachments and approval buttons need the app in this channel: "
                "invite it with `/invite @CloudPilot`.",
                response_type="ephemeral",
            )

    def backend(self, steps: Steps | None = None) -> SlackBackend:
        """Slack as a `ChatBackend`, bound to a job's record (none: every call posts)."""
        steps = steps or Steps(self.ledger, None, self.client)
        return SlackBackend(self.client, self.agent, self.groups, steps)

    def deliver(self, reply: Reply, channel: str, reply_ts: str | None, steps: Steps | None = None) -> None:
        """Post a reply (messages, files, approval buttons) in a channel or thread."""
        backend = self.backend(steps)
        # The card is posted apart, so that it can be attached and its approvers told.
        backend.post_reply(where(channel, reply_ts), reply.model_copy(update={"approval": None}))
        self._post_pending(reply, channel, reply_ts, backend)

    def _post_first(
        self, rendered: Rendered, channel: str, reply_ts: str | None, placeholder_ts: str | None
    ) -> None:
        first = rendered.messages[0]
        if placeholder_ts:
            self.client.chat_update(channel=channel, ts=placeholder_ts, text=first.text, blocks=first.blocks)
        else:
            self.client.chat_postMessage(
                channel=channel, thread_ts=reply_ts, text=first.text, blocks=first.blocks
            )

    def _post_rest(
        self, rendered: Rendered, reply: Reply, channel: str, reply_ts: str | None, steps: Steps
    ) -> None:
        backend = self.backend(steps)
        backend.post_rest(rendered, where(channel, reply_ts))
        self._post_pending(reply, channel, reply_ts, backend)

    # -- the Home tab --------------------------------------------------------------------------
    def _home(self, job: Home) -> None:
        """Publishes the user's Home view; publishing again replaces it, so a rerun is harmless."""
        user = self.backend().resolve_user(job.user, approver_groups(self.agent))
        view = home_view(
            waiting_for(self.agent, job.user, user.groups),
            recent_requests(self.agent, job.user),
            latest_critical_findings(self.agent, job.user),
            datetime.now(UTC),
        )
        self.client.views_publish(user_id=job.user, view=view)

    # -- approvals -----------------------------------------------------------------------------
    def _post_pending(self, reply: Reply, channel: str, reply_ts: str | None, backend: SlackBackend) -> None:
        if reply.approval is None or reply.approval.status != "pending":
            return
        view = reply.approval
        card = backend.post_approval(where(channel, reply_ts), view)
        # Where the buttons live: a click is honoured only from this very message.
        attach_card(self.agent, view.id, card.key)
        notify_approvers(self.agent, backend, view, card)

    def _click(self, click: Click, steps: Steps) -> None:
        if steps.value("nothing"):
            return
        kept = steps.value("decision")
        if kept:
            data = json.loads(kept)
            decided: tuple[Reply, ApprovalView, str | None] | None = (
                Reply.model_validate(data["reply"]),
                ApprovalView.model_validate(data["view"]),
                data["reply_ts"],
            )
        else:
            try:
                decided = self._decide(click)
            except Exception:
                self._release(click)  # nothing was decided, or the conditional update makes a retry a no-op
                raise
            if decided is None:
                APPROVAL_DECISIONS.labels("refused").inc()
                self._release(click)
                steps.mark("nothing")
                return
            reply, view, reply_ts = decided
            APPROVAL_DECISIONS.labels("expired" if view.status == "expired" else "decided").inc()
            steps.mark(
                "decision",
                json.dumps(
                    {
                        "reply": reply.model_dump(mode="json"),
                        "view": view.model_dump(mode="json"),
                        "reply_ts": reply_ts,
                    }
                ),
            )
        assert decided is not None
        reply, view, reply_ts = decided
        if view.status == "expired":
            # Past its expiry: nobody can decide it any more, which only the clicker hears of.
            steps.once(
                "expired",
                lambda: self._ephemeral(click.channel, click.user, f":no_entry: {reply.text}", reply_ts),
            )
            return
        self.backend(steps).update_approval(card_ref(click.channel, click.message_ts), view)
        self.deliver(reply, click.channel, reply_ts, steps)

    def _release(self, click: Click) -> None:
        release_click(self.release, click.approval_id, click.user, log)

    def _decide(self, click: Click) -> tuple[Reply, ApprovalView, str | None] | None:
        """(reply, approval, thread) when this click decided the request or found it expired;
        otherwise None, once the clicker has been told why nothing happened."""
        known = _APPROVAL_ID.match(click.approval_id)
        approval = approval_card(self.agent, click.approval_id) if known else None
        if approval is None:
            log.warning("click by %s on unknown approval %r", click.user, click.approval_id[:80])
            self._ephemeral(
                click.channel,
                click.user,
                f"I know of no approval request {click.approval_id[:64]!r}; nothing was done.",
            )
            return None
        reply_ts = thread_of(approval.conversation_id)
        if approval.message_ref != card_ref(click.channel, click.message_ts).key:
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
            return None
        policy_groups = approver_groups(self.agent, approval.action)
        groups = set(self.backend().resolve_user(click.user, policy_groups).groups)
        reply = self.agent.decide(approval.id, click.user, click.approve, groups)
        view = reply.approval
        if view is not None and decided(self.agent, reply, click.user):
            return reply, view, reply_ts
        # Refused, already decided by someone else, or failed: only the clicker hears of it.
        self._ephemeral(click.channel, click.user, f":no_entry: {reply.text}", reply_ts)
        return None

    def _ephemeral(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        self.backend().post_private(user, text, where(channel, thread_ts))


def card_ref(channel: str, ts: str) -> MessageRef:
    """A Slack message as the agent keeps an approval's card (`channel:ts`)."""
    return MessageRef(where(channel), ts)


def thread_of(conversation_id: str) -> str | None:
    """The Slack thread of an approval's conversation ("slack:<channel>:<thread>")."""
    try:
        ref = ConversationRef.parse(conversation_id)
    except BadConversationId:
        return None
    return ref.thread if ref.platform == PLATFORM else None
