"""The Teams work after the ack: run the agent, post the cards, decide approvals.

Runs on the job sink's threads (in-process, tests), in its worker process, or in a `cloudpilot
serve worker` taking jobs from the durable queue. Every job has an idempotency record
(`JobRecord`): a rerun skips what it lists as done — each post, the agent's reply (kept, so a
turn is not asked twice), the decision of a click. A failure reaches the user as a short
message with a reference id; the details go to the log.

Approvals: the click's request is looked up, the card it came from must be the request's own
card (`attach_card` recorded it), the clicker's groups are resolved for the policy's group names
only, and `Agent.decide` runs the state machine (the requester and anyone outside the policy are
refused, a decided request is not decided again). A decision updates the card for everyone (who
decided, the outcome) and posts the result in the conversation; a refusal puts the card back as
it was and tells only the clicker why, in their 1:1 chat. New requests are announced to each
approver in a direct message.
"""

from __future__ import annotations

import json
import logging
import re
import time

from agent.api import (
    Approvers,
    approval_card,
    approver_groups,
    approvers_of,
    attach_card,
    canonical_user,
)
from agent.failures import failure_text
from agent.messages import ApprovalView, Reply
from agent.turn import Agent
from bot.chat.conversation import BadConversationId, ConversationRef, MessageRef
from bot.chat.record import JobRecord
from bot.chat.responder import Release, count_turn, decided, kept_reply, release_click, run_job
from bot.serve.ledger import Ledger, MemoryLedger
from bot.teams import cards
from bot.teams.activity import MAX_TEXT
from bot.teams.backend import TeamsBackend, remember_dm
from bot.teams.connector import BotConnector
from bot.teams.groups import GroupResolver
from bot.teams.home import home_card, is_home
from bot.teams.jobs import Answer, Click, Job, kind_of
from config.metrics import APPROVAL_DECISIONS
from config.teams import TeamsSettings

log = logging.getLogger("cloudpilot.teams")

_APPROVAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_OBJECT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class TeamsResponder:
    def __init__(
        self,
        agent: Agent,
        connector: BotConnector,
        settings: TeamsSettings,
        groups: GroupResolver,
        ledger: Ledger | None = None,
        release: Release | None = None,
    ) -> None:
        self.agent = agent
        self.connector = connector
        self.settings = settings
        self.groups = groups
        self.ledger: Ledger = ledger or MemoryLedger()
        self.release = release
        self.card_key = settings.card_key()

    def backend(self, record: JobRecord, service_url: str, tenant: str | None) -> TeamsBackend:
        return TeamsBackend(
            self.connector,
            self.ledger,
            record,
            service_url,
            lambda user: canonical_user(self.agent, user),
            self.groups,
            self.card_key,
            tenant,
        )

    def run(self, job: Job, final: bool = True, queued: bool = False) -> None:
        """Does the job (what its record does not list as done), in the shared frame
        (`bot/chat/responder.py`: retries, the apology, dead jobs)."""
        record = JobRecord(self.ledger, job.key)

        def work() -> None:
            try:
                where = ConversationRef.parse(job.conversation)
            except BadConversationId:
                log.error("teams job %s names no conversation: dropped", job.key)
                return
            backend = self.backend(record, job.service_url, where.tenant)
            if isinstance(job, Answer):
                self._answer(job, where, backend, record)
            elif isinstance(job, Click):
                self._click(job, where, backend, record)
            else:
                backend.send(where, cards.message_activity(cards.notice_card(job.text)), step="notice")

        kind = kind_of(job)
        run_job(
            record,
            kind,
            work,
            lambda ref, error: self._apologise(job, ref, error),
            final=final,
            queued=queued,
            log=log,
            label=f"teams-{kind}",
        )

    def _apologise(self, job: Job, ref: str, error: BaseException) -> None:
        text = "⚠️ " + failure_text(error, ref)
        try:
            where = ConversationRef.parse(job.conversation)
            target = f"{where.channel};messageid={where.thread}" if where.thread else where.channel
            self.connector.send(job.service_url, target, cards.message_activity(cards.notice_card(text)))
        except Exception:
            log.exception("could not report error %s to Teams", ref)

    # -- conversations ---------------------------------------------------------------------------
    def _answer(self, job: Answer, where: ConversationRef, backend: TeamsBackend, record: JobRecord) -> None:
        if job.personal and not record.value("dm"):
            remember_dm(self.ledger, job.user, where.channel, job.service_url, job.teams_id)
            record.mark("dm")
        if job.personal and is_home(job.text):
            user = backend.resolve_user(job.user, sorted(self.settings.groups))
            card = home_card(self.agent, job.user, set(user.groups))
            backend.send(where, cards.message_activity(card, "Your CloudPilot home"), step="home")
            return
        if not record.value("reply"):
            backend.typing(where)
        reply = kept_reply(record, lambda: self._reply_to(job, where), log)
        backend.post_reply(where, reply)
        if reply.approval is not None and reply.approval.status == "pending":
            card_id = record.value(f"approval:{reply.approval.id}")
            if card_id:
                attach_card(self.agent, reply.approval.id, MessageRef(where, card_id).key)
            self._notify_approvers(reply.approval, backend)

    def _reply_to(self, job: Answer, where: ConversationRef) -> Reply:
        if len(job.text) > MAX_TEXT:
            return Reply(
                text=f"That message is too long for me: please keep it under {MAX_TEXT} characters.", ok=False
            )
        message = where.message(job.user, job.text)
        started = time.perf_counter()
        reply = self.agent.handle(message)
        count_turn("teams", started, reply)
        return reply

    def _notify_approvers(self, view: ApprovalView, backend: TeamsBackend) -> None:
        """A direct message to every approver with a Teams identity (an Entra object id in the
        identity table), once per request and person."""
        approvers: Approvers | None = approvers_of(self.agent, view.id)
        if approvers is None:
            return
        summary = f"{view.requester} asks for approval: {view.action} on {view.resource_id}"
        for person in approvers.people:
            ids = [n.lower() for n in approvers.names.get(person, ()) if _OBJECT_ID.match(n.lower())]
            if not ids:
                continue
            text = (
                f"🔔 {summary} ({view.id}). The request and its Approve / Reject buttons are in the "
                "conversation where it was asked."
            )
            try:
                backend.direct_card(
                    ids[0], cards.notice_card(text), summary, step=f"notify:{view.id}:{person}"
                )
            except Exception:
                log.warning("could not notify approver %s of %s", person, view.id, exc_info=True)

    # -- approvals ---------------------------------------------------------------------------------
    def _click(self, click: Click, where: ConversationRef, backend: TeamsBackend, record: JobRecord) -> None:
        if record.value("nothing"):
            return
        kept = record.value("decision")
        if kept:
            data = json.loads(kept)
            reply, view = Reply.model_validate(data["reply"]), ApprovalView.model_validate(data["view"])
        else:
            try:
                decided = self._decide(click, where, backend)
            except Exception:
                self._release(click)
                raise
            if decided is None:
                APPROVAL_DECISIONS.labels("refused").inc()
                self._release(click)
                record.mark("nothing")
                return
            reply, view = decided
            APPROVAL_DECISIONS.labels("expired" if view.status == "expired" else "decided").inc()
            record.mark(
                "decision",
                json.dumps({"reply": reply.model_dump(mode="json"), "view": view.model_dump(mode="json")}),
            )
        card = MessageRef(where, click.card_id)
        if view.status == "expired":
            backend.update_card(card, cards.decided_card(view, reply.text), view)
            return
        backend.update_approval(card, view)
        backend.post_reply(where, reply.model_copy(update={"approval": None}))

    def _decide(
        self, click: Click, where: ConversationRef, backend: TeamsBackend
    ) -> tuple[Reply, ApprovalView] | None:
        """(reply, approval) when this click decided the request or found it expired; None once
        the clicker has been told why nothing happened."""
        request = (
            approval_card(self.agent, click.approval_id) if _APPROVAL_ID.match(click.approval_id) else None
        )
        if request is None:
            backend.post_private(
                click.user, f"I know of no approval request {click.approval_id[:64]!r}; nothing was done."
            )
            return None
        if request.message_ref != MessageRef(where, click.card_id).key:
            log.warning(
                "click by %s on %s from card %s, not its own (%s): refused",
                click.user,
                request.id,
                click.card_id[:80],
                request.message_ref,
            )
            backend.post_private(
                click.user, f"This card does not belong to approval {request.id}'s request; nothing was done."
            )
            return None
        policy_groups = approver_groups(self.agent, request.action)
        user = backend.resolve_user(click.user, policy_groups)
        reply = self.agent.decide(request.id, click.user, click.approve, set(user.groups))
        view = reply.approval
        if view is not None and decided(self.agent, reply, click.user):
            return reply, view
        # Refused, or decided by someone else already: the card goes back as it is for everyone,
        # and only the clicker hears why.
        current = self.agent.view(request.id)
        if current is not None:
            card = MessageRef(where, click.card_id)
            if current.status == "pending":
                backend.update_card(card, None, current)
            else:
                backend.update_approval(card, current)
        backend.post_private(click.user, f"⛔ {reply.text}")
        return None

    def _release(self, click: Click) -> None:
        release_click(self.release, click.approval_id, click.user, log)
