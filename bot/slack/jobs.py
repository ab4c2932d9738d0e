"""The work the ack hands over: plain descriptions that cross to a worker process or through the
durable queue (as JSON, `encode` / `decode`).

Every job carries a `key`, the identity of what Slack sent (the message, the command's trigger,
the click): the worker's idempotency record is kept under it, so a job run twice (a retry, a
duplicate delivery) does what it has to do once.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.chat.jobs import ApprovalClick, BadJob, JobCodec

__all__ = [
    "BadJob",
    "Answer",
    "Click",
    "Home",
    "Incoming",
    "Job",
    "Notice",
    "SlashCommand",
    "decode",
    "encode",
    "kind_of",
]


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
class Answer:
    incoming: Incoming
    key: str = ""


@dataclass(frozen=True)
class SlashCommand:
    user: str
    channel: str
    text: str
    response_url: str
    key: str = ""


@dataclass(frozen=True)
class Click(ApprovalClick):
    channel: str
    message_ts: str
    key: str = ""


@dataclass(frozen=True)
class Notice:
    """A short ephemeral message (e.g. the rate-limit notice)."""

    channel: str
    user: str
    text: str
    thread_ts: str | None = None
    key: str = ""


@dataclass(frozen=True)
class Home:
    """The user opened the app's Home tab: publish their view."""

    user: str
    key: str = ""


Job = Answer | SlashCommand | Click | Notice | Home

CODEC: JobCodec[Job] = JobCodec(
    "Slack",
    {"answer": Answer, "command": SlashCommand, "click": Click, "notice": Notice, "home": Home},
    nested={"incoming": Incoming},
)
kind_of = CODEC.kind_of
encode = CODEC.encode
decode = CODEC.decode
