"""An incoming activity, checked and reduced to what CloudPilot acts on.

The body is parsed with the Teams SDK's activity models (`microsoft_teams.api.activities`,
pydantic), after a size and depth check of our own; anything that does not validate, or lacks
what a Teams message or card action always has (its id, the conversation, the sender's Entra
object id, the serviceUrl), is `BadActivity` (a 400). Activity types we do not act on
(conversation updates, reactions, typing…) come back as `Ignored`.

Conversations: a personal chat or group chat is one conversation (`thread` None); in a channel,
each thread is one: Teams names a thread `<channel id>;messageid=<root message id>`, and a
conversation's `ConversationRef` is (`teams`, tenant, channel id, root message id).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from microsoft_teams.api.activities import ActivityTypeAdapter
from microsoft_teams.api.activities.invoke.adaptive_card.action import AdaptiveCardInvokeActivity
from microsoft_teams.api.activities.message.message import MessageActivity
from pydantic import ValidationError

from bot.chat.conversation import ConversationRef
from bot.chat.ingress import check_tree, load_json

PLATFORM = "teams"
MAX_DEPTH = 32
MAX_NODES = 20_000
MAX_TEXT = 8000
THREAD_MARK = ";messageid="
_AT = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
# The markup Teams wraps a message in (a user's own "<" and ">" arrive escaped, or stay as typed).
_TAG = re.compile(r"</?(?:p|div|span|br|at|b|i|u|s|strong|em|code|pre|ol|ul|li|a|img)\b[^<>]{0,500}>", re.I)
_OBJECT_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class BadActivity(ValueError):
    pass


@dataclass(frozen=True)
class Sender:
    object_id: str  # Entra ID object id: the person, whichever chat they write in
    teams_id: str  # "29:…": this bot's id for them
    name: str


@dataclass(frozen=True)
class Envelope:
    """What every activity we act on has."""

    id: str
    service_url: str
    channel_id: str
    tenant: str | None
    conversation: ConversationRef
    sender: Sender
    conversation_type: str  # personal | groupChat | channel


@dataclass(frozen=True)
class Message:
    envelope: Envelope
    text: str


@dataclass(frozen=True)
class CardAction:
    envelope: Envelope
    verb: str
    data: Any
    card_id: str  # the activity id of the card whose button was pressed (replyToId)


@dataclass(frozen=True)
class Ignored:
    kind: str
    channel_id: str
    service_url: str


Parsed = Message | CardAction | Ignored


def loads(body: bytes) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadActivity("the body is not UTF-8 JSON") from None
    data = load_json(text, BadActivity, "the activity")
    if not isinstance(data, dict):
        raise BadActivity("an activity is a JSON object")
    check_tree(data, max_depth=MAX_DEPTH, max_nodes=MAX_NODES, error=BadActivity, what="the activity")
    return data


def parse(data: dict[str, Any]) -> Parsed:
    kind = data.get("type")
    service_url = data.get("serviceUrl")
    channel_id = data.get("channelId")
    if not isinstance(kind, str) or not isinstance(service_url, str) or not isinstance(channel_id, str):
        raise BadActivity("an activity has a type, a serviceUrl and a channelId")
    if not service_url.startswith(("https://", "http://")) or len(service_url) > 500:
        raise BadActivity("the serviceUrl is not a URL")
    is_card_action = kind == "invoke" and data.get("name") == "adaptiveCard/action"
    if kind != "message" and not is_card_action:
        return Ignored(
            kind if kind != "invoke" else f"invoke:{str(data.get('name'))[:60]}", channel_id, service_url
        )
    try:
        activity = ActivityTypeAdapter.validate_python(data)
    except ValidationError as exc:
        raise BadActivity(f"not a valid {kind} activity: {exc.error_count()} problems") from None
    if isinstance(activity, MessageActivity):
        envelope = _envelope(activity)
        return Message(envelope, _text(activity))
    if isinstance(activity, AdaptiveCardInvokeActivity):
        envelope = _envelope(activity)
        action = activity.value.action
        if action.type != "Action.Execute" or not isinstance(action.verb, str):
            raise BadActivity("a card action is an Action.Execute with a verb")
        if not activity.reply_to_id:
            raise BadActivity("a card action names the card's message (replyToId)")
        return CardAction(envelope, action.verb[:40], action.data, str(activity.reply_to_id)[:200])
    raise BadActivity(f"not a {kind} activity")


def _envelope(activity: MessageActivity | AdaptiveCardInvokeActivity) -> Envelope:
    sender = activity.from_
    if not activity.id or len(activity.id) > 200:
        raise BadActivity("the activity has no id")
    object_id = sender.aad_object_id or ""
    if not _OBJECT_ID.match(object_id):
        raise BadActivity("the sender has no Entra object id (aadObjectId)")
    conversation = activity.conversation
    tenant = conversation.tenant_id
    if tenant is None and activity.channel_data is not None and activity.channel_data.tenant is not None:
        tenant = activity.channel_data.tenant.id
    kind = conversation.conversation_type or ("channel" if THREAD_MARK in conversation.id else "personal")
    base, _, root = conversation.id.partition(THREAD_MARK)
    thread: str | None = None
    if kind == "channel":
        thread = root or activity.reply_to_id or activity.id
    try:
        ref = ConversationRef(PLATFORM, base, thread, tenant or None)
    except ValueError as exc:
        raise BadActivity(f"unusable conversation: {exc}") from None
    return Envelope(
        id=activity.id,
        service_url=str(activity.service_url),
        channel_id=str(activity.channel_id),
        tenant=tenant or None,
        conversation=ref,
        sender=Sender(object_id.lower(), sender.id[:200], (sender.name or "")[:200]),
        conversation_type=kind,
    )


def _text(activity: MessageActivity) -> str:
    """The message without the bot's @mention, as plain text."""
    text = activity.text or ""
    bot = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        mentioned = getattr(entity, "mentioned", None)
        said = getattr(entity, "text", None)
        is_bot = mentioned is not None and mentioned.id == bot
        if getattr(entity, "type", None) == "mention" and is_bot and said:
            text = text.replace(str(said), " ")
    text = _AT.sub(lambda m: _TAG.sub("", m.group(0)), text)  # other people's mentions: their names
    text = html.unescape(_TAG.sub(" ", text)).replace("\xa0", " ")
    return " ".join(text.split())[: MAX_TEXT + 1]


def connector_conversation(ref: ConversationRef) -> str:
    """The Bot Connector's conversation id for `ref` (a channel thread: `<channel>;messageid=<root>`)."""
    return f"{ref.channel}{THREAD_MARK}{ref.thread}" if ref.thread else ref.channel
