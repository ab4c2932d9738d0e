"""Runs digests: finds the schedule slots that are due, claims each exactly once (several
schedulers may run), asks the digest's questions through the agent's turn API and posts the
answers in one thread per run.

A digest names its platform (`platform`, Slack by default) and channel; the composition root
gives the runner a `Poster` per platform (Slack's `bot/slack/digests.py`, Teams'
`bot/teams/digests.py`). The questions are asked in the conversation of the digest's thread
(`Poster.conversation`), so a reply in that thread on either platform continues it.

A run missed by more than the digest's grace period (the scheduler was down) is skipped rather
than posted late. A question that fails is reported in the thread and the rest still run; a
channel the bot cannot post to fails the run, and the failure is recorded with the platform's
reason.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from agent.api import DigestRuns, agent_now, digest_runs
from agent.messages import Reply
from agent.runner import error_ref
from agent.turn import Agent
from bot.chat.conversation import ConversationRef
from bot.digests.schedule import Cron, ScheduleError, parse
from config.settings import DigestSettings, Settings

log = logging.getLogger("cloudpilot.digests")

DIGEST_USER = "cloudpilot-digest"
_IDLE_S = 60.0


class Poster(Protocol):
    """Where digests go: a chat platform's channel and threads."""

    def post_text(self, channel: str, text: str, thread: str | None = None) -> str:
        """Post a plain message; returns its id (the thread key for what follows)."""
        ...

    def post_reply(self, reply: Reply, channel: str, thread: str) -> None: ...

    def conversation(self, channel: str, thread: str) -> ConversationRef:
        """The agent conversation of a thread `post_text` started (where a reply continues)."""
        ...


class Scheduled(Protocol):
    """Other scheduled work the digest scheduler runs in its loop (alerts: bot/digests/alerts.py)."""

    def next_runs(self, now: datetime) -> dict[str, datetime]: ...

    def run_due(self, now: datetime) -> Sequence[object]: ...


@dataclass
class DigestOutcome:
    name: str
    slot: datetime | None
    ok: bool
    questions: int = 0
    failed: list[str] = field(default_factory=list)
    detail: str = ""


class DigestRunner:
    """`posters`: one per platform name, or one poster for every digest."""

    def __init__(
        self,
        settings: Settings,
        agent: Agent,
        posters: Poster | Mapping[str, Poster],
        runs: DigestRuns | None = None,
    ) -> None:
        self.digests = {d.name: d for d in settings.digests}
        self.agent = agent
        self.posters: Mapping[str, Poster] | None = posters if isinstance(posters, Mapping) else None
        self.poster: Poster | None = None if isinstance(posters, Mapping) else posters
        self.runs = runs or digest_runs(agent)
        self.crons: dict[str, Cron] = {}
        for d in settings.digests:
            try:
                self.crons[d.name] = parse(d.schedule, d.timezone)
            except ScheduleError as exc:
                raise ScheduleError(f"digest '{d.name}': {exc}") from None
        # Run in the same loop, on their own schedules (alerts).
        self.also: list[Scheduled] = []

    def next_runs(self, now: datetime) -> dict[str, datetime]:
        return {name: cron.next_after(now) for name, cron in self.crons.items()}

    def due(self, now: datetime) -> list[tuple[DigestSettings, datetime]]:
        out = []
        for name, digest in self.digests.items():
            grace = timedelta(minutes=digest.grace_minutes)
            slot = self.crons[name].latest_at_or_before(now, grace)
            if slot is not None:
                out.append((digest, slot))
        return out

    def run_due(self, now: datetime) -> list[DigestOutcome]:
        """Send every due digest whose slot no scheduler has claimed yet."""
        outcomes = []
        for digest, slot in self.due(now):
            if not self.runs.claim(digest.name, slot, now):
                continue
            outcome = self.send(digest, slot)
            self.runs.finish(digest.name, slot, agent_now(self.agent), ok=outcome.ok, detail=outcome.detail)
            outcomes.append(outcome)
        return outcomes

    def send(self, digest: DigestSettings, slot: datetime | None = None) -> DigestOutcome:
        """Post one digest now (for `slot`, or unscheduled when None)."""
        when = (slot or agent_now(self.agent)).astimezone(self.crons[digest.name].zone)
        outcome = DigestOutcome(digest.name, slot, ok=True)
        header = f"*Digest {digest.name}* — {when:%A %d %B %Y, %H:%M} {when.tzname()}"
        poster = self.poster_for(digest)
        if poster is None:
            outcome.ok = False
            outcome.detail = f"no {digest.platform} poster: configure [{digest.platform}] (README)"
            log.warning("digest %s: %s", digest.name, outcome.detail)
            return outcome
        try:
            thread = poster.post_text(digest.channel, header)
            where = poster.conversation(digest.channel, thread)
        except Exception as exc:  # the channel is wrong or closed to the bot: nothing can be posted
            outcome.ok = False
            outcome.detail = f"could not post to {digest.channel}: {_reason(exc)}"
            log.warning("digest %s: %s", digest.name, outcome.detail)
            return outcome
        for question in digest.questions:
            outcome.questions += 1
            try:
                reply = self.agent.handle(where.message(DIGEST_USER, question))
                poster.post_text(digest.channel, f"_{question}_", thread)
                poster.post_reply(reply, digest.channel, thread)
                if not reply.ok:  # the agent's own apology is posted; the run still counts it
                    outcome.failed.append(question)
            except Exception:
                ref = error_ref()
                log.exception("digest %s: question %r failed (ref %s)", digest.name, question, ref)
                outcome.failed.append(question)
                try:
                    poster.post_text(
                        digest.channel, f":warning: Could not answer “{question}” (reference {ref}).", thread
                    )
                except Exception:
                    log.exception("digest %s: could not report ref %s", digest.name, ref)
        answered = outcome.questions - len(outcome.failed)
        outcome.detail = f"{answered}/{outcome.questions} questions answered in thread {thread}"
        outcome.ok = not outcome.failed
        return outcome

    def poster_for(self, digest: DigestSettings) -> Poster | None:
        if self.posters is None:
            return self.poster
        return self.posters.get(digest.platform)

    def serve(self, stop: threading.Event, now: Callable[[], datetime]) -> None:
        """Run due digests until `stop` is set, waking at the next slot (or every minute)."""
        while not stop.is_set():
            moment = now()
            for outcome in self.run_due(moment):
                log.info("digest %s (%s): %s", outcome.name, outcome.slot, outcome.detail)
            upcoming_runs = list(self.next_runs(moment).values())
            for other in self.also:
                try:
                    for result in other.run_due(moment):
                        log.info("%s", result)
                except Exception:  # one failing job must not stop the digests
                    log.exception("scheduled %s failed", type(other).__name__)
                upcoming_runs += other.next_runs(moment).values()
            upcoming = min(upcoming_runs, default=None)
            wait = _IDLE_S if upcoming is None else (upcoming - now()).total_seconds()
            stop.wait(max(1.0, min(wait, _IDLE_S)))


def _reason(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    error = response.get("error") if response is not None and hasattr(response, "get") else None
    return str(error or exc)
