"""Before the ack: claim what the platform sent, count it against the sender's rate limit and
hand the job over, so that a retried or duplicated delivery is handled once.

A platform's gate (Slack's `bot/slack/gate.py`) parses its events into jobs and claims keys
that name what was sent (an event id, a message, a click). Claims are taken for
`PENDING_TTL_S` and kept for `DEDUP_TTL_S` once the job is queued: if the process dies in
between, the platform's next retry (Slack: a minute later) finds the claim gone and is served.
A job that cannot be queued gives its claims back and the error propagates, so the ack fails
and the platform retries. Every step is one key-store round trip at most: this runs inside the
platform's HTTP request.
"""

from __future__ import annotations

import logging
from typing import Generic, TypeVar

from bot.chat.keystore import KeyStore
from bot.chat.limits import RateDecision, RateLimiter
from bot.chat.work import JobSink

log = logging.getLogger("cloudpilot.chat")

J = TypeVar("J")

DEDUP_TTL_S = 24 * 3600
PENDING_TTL_S = 20


class Admission(Generic[J]):
    """Dedup claims, the rate limit and the hand-off of one platform's jobs."""

    def __init__(
        self, keys: KeyStore, limiter: RateLimiter, sink: JobSink[J], pending_ttl_s: int = PENDING_TTL_S
    ) -> None:
        self.keys = keys
        self.limiter = limiter
        self.sink = sink
        self.pending_ttl_s = pending_ttl_s

    def claim(self, key: str) -> bool:
        """Claims one key (e.g. a click) for the pending time; False when it is held already."""
        return self.keys.claim(key, self.pending_ttl_s)

    def count(
        self, user: str, claims: list[str], touch: list[str] | None = None, touch_ttl_s: int = 0
    ) -> RateDecision | None:
        """Claims `claims`, sets `touch` keys and counts `user`'s request, in one round trip;
        None when a claim was held (a retry or a duplicate: do nothing)."""
        return self.limiter.admit(user, claims, self.pending_ttl_s, touch, touch_ttl_s)

    def seen(self, claims: list[str]) -> None:
        """Keeps the claims of something handled without a job (e.g. a refused request)."""
        self.keys.confirm(claims, DEDUP_TTL_S)

    def submit(self, lane: str, job: J, claims: list[str]) -> None:
        """Queues the job, then keeps its claims; a job that could not be queued gives them back,
        so the platform's retry of the request is handled (the ack fails, and it retries)."""
        try:
            self.sink.submit(lane, job)
        except Exception:
            for claim in claims:
                try:
                    self.keys.release(claim)
                except Exception:
                    log.warning("could not release claim %s", claim, exc_info=True)
            raise
        try:
            self.keys.confirm(claims, DEDUP_TTL_S)
        except Exception:  # the job is queued; the worker's record still stops a second answer
            log.warning("could not extend claims %s", claims, exc_info=True)
