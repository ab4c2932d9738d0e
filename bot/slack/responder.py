"""The work after the ack: run the agent, post and update messages, decide approvals.

Runs on the job sink's threads, in the serving process or in the worker process. Any failure
reaches the user as a short message with a reference id; the details go to the log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from pydantic import ValidationError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from agent.failures import failure_text
from agent.messages import ApprovalView, ChatMessage, Reply
from agent.runner import error_ref
from agent.turn import Agent
from bot.slack import blocks as bk
from bot.slack.approval_blocks import decided_message, pending_message
from bot.slack.gate import MAX_TEXT
from bot.slack.groups import GroupResolver
from bot.slack.jobs import Answer, Click, Incoming, Job, Notice, SlashCommand
from bot.slack.render import Rendered, render_reply

log = logging.getLogger("cloudpilot.slack")

WORKING = ":hourglass_flowing_sand: Working on it…"
_APPROVAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

Follow = Callable[[str, str], None]  # (channel, thread ts): the bot now takes part in that thread
Release = Callable[[str, str], None]  # (approval id, user): that click decided nothing, allow another


class SlackResponder:
    def __init__(
        self,
        agent: Agent,
        client: WebClient,
        groups: GroupResolver,
        follow: Follow,
        release: Release | None = None,
    ) -> None:
        self.agent = agent
        self.client = client
        self.groups = groups
        self.follow = follow
        self.release = release

    def run(self, job: Job) -> None:
        try:
            if isinstance(job, Answer):
                self._answer(job.incoming)
            elif isinstance(job, SlashCommand):
                self._command(job)
            elif isinstance(job, Click):
                self._click(job)
            else:
                self._ephemeral(job.channel, job.user, job.text, job.thread_ts)
        except Exception as exc:
            ref = error_ref()
            log.exception("slack job %s failed (ref %s)", type(job).__name__, ref)
            self._apologise(job, ref, error=exc)

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
            else:
                self._ephemeral(job.channel, job.user, text)
        except Exception:
            log.exception("could not report error %s to Slack", ref)

    # -- conversations -------------------------------------------------------------------------
    def _answer(self, incoming: Incoming) -> None:
        placeholder = self.client.chat_postMessage(
            channel=incoming.channel, thread_ts=incoming.reply_ts, text=WORKING
        )
        placeholder_ts = str(placeholder["ts"])
        try:
            reply = self._reply_to(incoming)
            rendered = render_reply(reply)
            self._post_first(rendered, incoming.channel, incoming.reply_ts, placeholder_ts)
        except Exception as exc:
            ref = error_ref()
            log.exception("answering in %s failed (ref %s)", incoming.lane, ref)
            self._apologise(Answer(incoming), ref, placeholder_ts, exc)
            return
        try:
            self._post_rest(rendered, reply, incoming.channel, incoming.reply_ts)
        except Exception:  # the answer is there; say what is missing below it, not instead of it
            ref = error_ref()
            log.exception("attachments in %s failed (ref %s)", incoming.lane, ref)
            self._apologise(Answer(incoming), ref)

    def _reply_to(self, incoming: Incoming) -> Reply:
        try:
            message = ChatMessage(
                user=incoming.user,
                channel=incoming.channel,
                thread=incoming.thread,
                text=incoming.text,
                platform="slack",
            )
        except ValidationError:
            return Reply(
                text=f"That message is too long for me: please keep it under {MAX_TEXT} characters.", ok=False
            )
        return self.agent.handle(message)

    def _command(self, job: SlashCommand) -> None:
        try:
            root = self.client.chat_postMessage(
                channel=job.channel, text=f"<@{job.user}> asked: {bk.escape(job.text)}"
            )
        except SlackApiError as exc:
            if (
                exc.response.get("error") not in ("not_in_channel", "channel_not_found")
                or not job.response_url
            ):
                raise
            # The bot cannot post here (e.g. a private channel it is not in): answer privately.
            self._respond_privately(job)
            return
        ts = str(root["ts"])
        self.follow(job.channel, ts)
        self._answer(Incoming(job.user, job.channel, job.text, reply_ts=ts, thread=ts))

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

    def deliver(self, reply: Reply, channel: str, reply_ts: str | None) -> None:
        """Post a reply (messages, files, approval buttons) in a channel or thread."""
        rendered = render_reply(reply)
        self._post_first(rendered, channel, reply_ts, None)
        self._post_rest(rendered, reply, channel, reply_ts)

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

    def _post_rest(self, rendered: Rendered, reply: Reply, channel: str, reply_ts: str | None) -> None:
        for message in rendered.messages[1:]:
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

    # -- approvals -----------------------------------------------------------------------------
    def _post_approval(self, view: ApprovalView, channel: str, reply_ts: str | None) -> None:
        text, blocks = pending_message(view)
        posted = self.client.chat_postMessage(channel=channel, thread_ts=reply_ts, text=text, blocks=blocks)
        # Where the buttons live: a click is honoured only from this very message.
        self.agent.rt.approvals.approvals.set_message_ref(view.id, f"{channel}:{posted['ts']}")

    def _click(self, click: Click) -> None:
        try:
            decided = self._decide(click)
        except Exception:
            self._release(click)  # nothing was decided, or the conditional update makes a retry a no-op
            raise
        if decided is None:
            self._release(click)
            return
        reply, view, reply_ts = decided
        if view.status == "expired":
            # Past its expiry: nobody can decide it any more, which only the clicker hears of.
            self._ephemeral(click.channel, click.user, f":no_entry: {reply.text}", reply_ts)
            return
        text, blocks = decided_message(view)
        self.client.chat_update(channel=click.channel, ts=click.message_ts, text=text, blocks=blocks)
        self.deliver(reply, click.channel, reply_ts)

    def _release(self, click: Click) -> None:
        """A refused or failed click must not use up the person's click on this request."""
        if self.release is None:
            return
        try:
            self.release(click.approval_id, click.user)
        except Exception:
            log.exception("could not release the click of %s on %s", click.user, click.approval_id[:80])

    def _decide(self, click: Click) -> tuple[Reply, ApprovalView, str | None] | None:
        """(reply, approval, thread) when this click decided the request or found it expired;
        otherwise None, once the clicker has been told why nothing happened."""
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
            return None
        reply_ts = thread_of(approval.conversation_id)
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
            return None
        _, policy_groups = approvals.policy.approvers_for(approval.action)
        groups = self.groups.groups_of(click.user, sorted(policy_groups)) if policy_groups else set()
        reply = self.agent.decide(approval.id, click.user, click.approve, groups)
        view = reply.approval
        if (
            view is not None
            and view.status != "pending"
            # decided_by is a canonical identity, not the Slack id the click came from.
            and (
                view.status == "expired"
                or reply.ok
                or approvals.identities.same(view.decided_by or "", click.user)
            )
        ):
            return reply, view, reply_ts
        # Refused, already decided by someone else, or failed: only the clicker hears of it.
        self._ephemeral(click.channel, click.user, f":no_entry: {reply.text}", reply_ts)
        return None

    def _ephemeral(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        self.client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)


def thread_of(conversation_id: str) -> str | None:
    """The Slack thread of an approval's conversation ("slack:<channel>:<thread>")."""
    parts = conversation_id.split(":", 2)
    if len(parts) == 3 and parts[0] == "slack" and parts[2] != "main":
        return parts[2]
    return None
