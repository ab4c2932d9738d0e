"""The work the ack hands over: plain, picklable descriptions (they may cross to a worker process)."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class SlashCommand:
    user: str
    channel: str
    text: str
    response_url: str


@dataclass(frozen=True)
class Click:
    approval_id: str
    approve: bool
    user: str
    channel: str
    message_ts: str


@dataclass(frozen=True)
class Notice:
    """A short ephemeral message (e.g. the rate-limit notice)."""

    channel: str
    user: str
    text: str
    thread_ts: str | None = None


Job = Answer | SlashCommand | Click | Notice
