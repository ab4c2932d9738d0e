"""The Teams work the ack hands over: plain values that cross to a worker (as JSON through the
durable queue, `encode` / `decode`). Each carries a `key`, the identity of what Teams sent (the
activity), under which the worker keeps its idempotency record."""

from __future__ import annotations

from dataclasses import dataclass

from bot.chat.jobs import ApprovalClick, BadJob, JobCodec

__all__ = ["BadJob", "Answer", "Click", "Job", "Notice", "decode", "encode", "kind_of"]

TASK = "cloudpilot.teams.job"  # the durable queue's task that runs these jobs
DEFAULT_NAMESPACE = "cloudpilot:teams"  # the key store's prefix for Teams claims


@dataclass(frozen=True)
class Answer:
    """A message to answer in its conversation."""

    user: str  # the sender's Entra object id
    teams_id: str  # "29:…"
    conversation: str  # ConversationRef.conversation_id
    service_url: str
    text: str
    personal: bool
    key: str = ""


@dataclass(frozen=True)
class Click(ApprovalClick):
    """Approve / Reject pressed on an approval card (`ApprovalClick`), and the card's place."""

    teams_id: str
    name: str
    conversation: str
    service_url: str
    card_id: str
    key: str = ""


@dataclass(frozen=True)
class Notice:
    """A short message in a conversation (e.g. the rate-limit notice)."""

    user: str
    teams_id: str
    conversation: str
    service_url: str
    text: str
    key: str = ""


Job = Answer | Click | Notice

CODEC: JobCodec[Job] = JobCodec("Teams", {"answer": Answer, "click": Click, "notice": Notice})
kind_of = CODEC.kind_of
encode = CODEC.encode
decode = CODEC.decode
