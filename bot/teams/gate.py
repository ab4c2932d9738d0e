"""What happens inside the request, before the answer to Teams: dedup, rate limit, hand-off.

Runs after the JWT and the activity were checked (`bot/teams/endpoint.py`). It makes at most
two key-store round trips and never calls the Bot Connector or the agent; the job does that.

- A message is claimed by its conversation and activity id (Teams may deliver one twice), counted
  against the sender's rate limit and queued on its conversation's lane.
- A card action (Approve / Reject) must carry data signed with the bot's card key (an altered
  invoke is refused here) and is claimed by its activity id (a replayed invoke is answered
  without a second job) and by approval and user (a double click is one). The request itself
  is decided by the job, through the approval state machine, which lets one decision through
  whoever clicks; the invoke response shows the clicker that their click is being handled.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.chat.dedup import Admission
from bot.teams import cards
from bot.teams.activity import CardAction, Message
from bot.teams.jobs import Answer, Click, Job, Notice

log = logging.getLogger("cloudpilot.teams")

THREAD_TTL_S = 7 * 24 * 3600


def click_key(approval_id: str, user: str) -> str:
    return f"action:{approval_id}:{user}"


@dataclass(frozen=True)
class InvokeResult:
    status: int  # the HTTP status of the invoke's response
    body: dict[str, Any]


class TeamsGate:
    def __init__(self, admission: Admission[Job], card_key: bytes) -> None:
        self.admission = admission
        self.card_key = card_key

    def on_message(self, message: Message) -> None:
        env = message.envelope
        if not message.text:
            return  # e.g. only an @mention, or an image
        ref = env.conversation
        claims = [f"activity:{ref.conversation_id}:{env.id}"]
        decision = self.admission.count(env.sender.object_id, claims)
        if decision is None:
            log.info("teams activity %s delivered again: dropped", env.id[:80])
            return
        personal = env.conversation_type == "personal"
        if decision.allowed:
            job: Job = Answer(
                env.sender.object_id,
                env.sender.teams_id,
                ref.conversation_id,
                env.service_url,
                message.text,
                personal,
                key=claims[0],
            )
        elif decision.first_refusal:
            job = Notice(
                env.sender.object_id,
                env.sender.teams_id,
                ref.conversation_id,
                env.service_url,
                decision.message(),
                key="notice:" + claims[0],
            )
        else:
            self.admission.seen(claims)
            return
        self.admission.submit(ref.lane, job, claims)

    def on_card_action(self, action: CardAction) -> InvokeResult:
        env = action.envelope
        if action.verb not in (cards.APPROVE, cards.REJECT):
            return InvokeResult(200, _error(400, "BadRequest", f"unknown action {action.verb!r}"))
        approval_id = cards.verify_action(self.card_key, action.data)
        if approval_id is None:
            log.warning("card action by %s with data not signed by this bot: refused", env.sender.object_id)
            return InvokeResult(200, _error(403, "Forbidden", "This card was not issued by CloudPilot."))
        replay = f"invoke:{env.conversation.conversation_id}:{env.id}"
        if not self.admission.claim(replay):
            log.warning("card action %s replayed: no second decision", env.id[:80])
            return InvokeResult(200, cards.invoke_message("This action was received already."))
        double = click_key(approval_id, env.sender.object_id)
        if not self.admission.claim(double):
            self.admission.seen([replay])
            return InvokeResult(200, cards.invoke_message("Your decision on this request is being handled."))
        approve = action.verb == cards.APPROVE
        job = Click(
            approval_id,
            approve,
            env.sender.object_id,
            env.sender.teams_id,
            env.sender.name,
            env.conversation.conversation_id,
            env.service_url,
            action.card_id,
            key=f"click:{approval_id}:{env.sender.object_id}:{env.id}",
        )
        self.admission.submit(f"approval:{approval_id}", job, [replay, double])
        verb = "Approval" if approve else "Rejection"
        who = env.sender.name or "you"
        return InvokeResult(
            200,
            cards.invoke_response(cards.notice_card(f"⏳ {verb} by {who} received: checking {approval_id}…")),
        )


def _error(status: int, code: str, message: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "type": "application/vnd.microsoft.error",
        "value": {"code": code, "message": message},
    }
