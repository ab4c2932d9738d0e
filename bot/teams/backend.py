"""The Teams `ChatBackend` (bot/chat/backend.py): posts through the Bot Connector, as Adaptive Cards.

One backend is made per job, bound to the job's idempotency record (`JobRecord`): every post is
a step recorded as an intent before the call and with the activity id after it. Teams has no
way to look a bot's message up by a marker, so an intent without an id (the worker died between
the call and the record) is posted again: a post is at least once, never lost; card updates
(`PUT`) are idempotent. A notice to one person (`post_private`) goes to their 1:1 chat with the
bot — Teams has no ephemeral messages — once at most.

Direct messages: the 1:1 conversation of a person is remembered when they write to the bot in a
personal chat (`remember_dm`, in the ledger, so every worker knows it); for someone who never
did, the bot creates the 1:1 conversation (`POST /v3/conversations`; the app must be installed
for them, which an org-wide installation does).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from agent.messages import ApprovalView, Reply
from bot.chat.backend import ChatUser
from bot.chat.conversation import ConversationRef, MessageRef
from bot.chat.record import JobRecord
from bot.serve.ledger import Ledger
from bot.teams import cards
from bot.teams.activity import PLATFORM, connector_conversation
from bot.teams.connector import BotConnector
from bot.teams.groups import GroupResolver

log = logging.getLogger("cloudpilot.teams")

_DIRECTORY = "teams-user:"


def remember_dm(ledger: Ledger, user: str, conversation: str, service_url: str, teams_id: str) -> None:
    ledger.put(
        _DIRECTORY + user,
        "dm",
        json.dumps({"conversation": conversation, "service_url": service_url, "teams_id": teams_id}),
    )


def known_dm(ledger: Ledger, user: str) -> dict[str, str] | None:
    raw = ledger.get(_DIRECTORY + user).get("dm")
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class TeamsBackend:
    def __init__(
        self,
        connector: BotConnector,
        ledger: Ledger,
        record: JobRecord,
        service_url: str,
        canonical: Callable[[str], str],
        groups: GroupResolver,
        card_key: bytes,
        tenant: str | None = None,
    ) -> None:
        self.connector = connector
        self.ledger = ledger
        self.record = record
        self.service_url = service_url
        self.canonical = canonical
        self.groups = groups
        self.card_key = card_key
        self.tenant = tenant
        self._posts = 0

    @property
    def platform(self) -> str:
        return PLATFORM

    # -- posting ---------------------------------------------------------------------------------
    def send(self, where: ConversationRef, activity: dict[str, Any], step: str | None = None) -> MessageRef:
        """One message in `where`, recorded as a step of the job."""
        if step is None:
            step = f"post{self._posts}"
            self._posts += 1
        conversation = connector_conversation(where)

        def post(_marker: str | None) -> str:
            sent = self.connector.send(self.service_url, conversation, activity)
            return sent or "sent"

        message_id = self.record.posted(step, post, lambda _marker: None)
        return MessageRef(where, message_id)

    def typing(self, where: ConversationRef) -> None:
        try:
            self.connector.send(self.service_url, connector_conversation(where), {"type": "typing"})
        except Exception:  # only a courtesy
            log.debug("typing indicator failed", exc_info=True)

    def post_reply(self, where: ConversationRef, reply: Reply) -> MessageRef:
        first: MessageRef | None = None
        for card in cards.render_reply(reply):
            ref = self.send(where, cards.message_activity(card, reply.text))
            first = first or ref
        assert first is not None  # render_reply returns one card at least
        if reply.approval is not None and reply.approval.status == "pending":
            self.post_approval(where, reply.approval)
        return first

    def post_approval(self, where: ConversationRef, view: ApprovalView) -> MessageRef:
        card = cards.approval_card(view, self.card_key)
        return self.send(
            where, cards.message_activity(card, f"Approval needed: {view.action}"), step=f"approval:{view.id}"
        )

    def update_approval(self, card: MessageRef, view: ApprovalView) -> None:
        self.update_card(card, cards.decided_card(view) if view.status != "pending" else None, view)

    def update_card(self, card: MessageRef, content: dict[str, Any] | None, view: ApprovalView) -> None:
        """Replace the card for everyone (`None`: the pending card again, with fresh buttons)."""
        body = content if content is not None else cards.approval_card(view, self.card_key)
        self.connector.update(
            self.service_url,
            connector_conversation(card.conversation),
            card.message_id,
            cards.message_activity(body),
        )

    def post_private(self, user: str, text: str, where: ConversationRef | None = None) -> None:
        step = f"private:{user}:{self._posts}"
        self._posts += 1
        self.record.once(step, lambda: self._direct(user, cards.notice_card(text), text))

    def direct_card(self, user: str, card: dict[str, Any], summary: str, step: str) -> None:
        self.record.once(step, lambda: self._direct(user, card, summary))

    def _direct(self, user: str, card: dict[str, Any], summary: str) -> None:
        known = known_dm(self.ledger, user)
        if known:
            conversation, service_url = known["conversation"], known.get("service_url") or self.service_url
        else:
            service_url = self.service_url
            conversation = self.connector.create_conversation(service_url, user, self.tenant)
            ref = ConversationRef(PLATFORM, conversation, None, self.tenant)
            remember_dm(self.ledger, user, ref.channel, service_url, "")
        self.connector.send(service_url, conversation, cards.message_activity(card, summary))

    # -- people ---------------------------------------------------------------------------------
    def resolve_user(self, user: str, groups: Iterable[str] = ()) -> ChatUser:
        wanted = sorted(set(groups))
        member_of = self.groups.groups_of(user, wanted, self.service_url) if wanted else set()
        return ChatUser(user, self.canonical(user), frozenset(member_of))
