"""The work the ack hands over: plain descriptions that cross to a worker process or through the
durable queue (as JSON, `encode` / `decode`).

Every job carries a `key`, the identity of what Slack sent (the message, the command's trigger,
the click): the worker's idempotency record is kept under it, so a job run twice (a retry, a
duplicate delivery) does what it has to do once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


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
class Click:
    approval_id: str
    approve: bool
    user: str
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

_KINDS: dict[str, type[Any]] = {
    "answer": Answer,
    "command": SlashCommand,
    "click": Click,
    "notice": Notice,
    "home": Home,
}
_NAMES = {cls: name for name, cls in _KINDS.items()}


class BadJob(ValueError):
    pass


def kind_of(job: Job) -> str:
    return _NAMES[type(job)]


def encode(job: Job) -> dict[str, Any]:
    return {"kind": kind_of(job), **asdict(job)}


def decode(data: dict[str, Any]) -> Job:
    cls = _KINDS.get(str(data.get("kind")))
    if cls is None:
        raise BadJob(f"unknown job kind {data.get('kind')!r}")
    values = {f.name: data.get(f.name) for f in fields(cls) if f.name in data}
    try:
        if cls is Answer:
            incoming = values["incoming"]
            if not isinstance(incoming, dict):
                raise TypeError("incoming is not an object")
            return Answer(Incoming(**incoming), str(values.get("key") or ""))
        job: Job = cls(**values)
    except (TypeError, KeyError) as exc:
        raise BadJob(f"malformed {data.get('kind')} job: {exc}") from None
    return job
