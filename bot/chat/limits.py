"""Per-user rate limit over a fixed one-minute window, shared through the key store."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.chat.keystore import KeyStore

WINDOW_S = 60


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int
    limit: int
    retry_after_s: int

    @property
    def first_refusal(self) -> bool:
        """Only the first refused request in a window gets a notice, so a flood gets one."""
        return not self.allowed and self.count == self.limit + 1

    def message(self) -> str:
        return (
            f"You have sent more than {self.limit} requests in the last minute, which is my limit "
            f"per person. Please try again in {self.retry_after_s} s."
        )


class RateLimiter:
    def __init__(self, keys: KeyStore, per_minute: int, now: Callable[[], float] = time.time) -> None:
        self._keys = keys
        self._limit = per_minute
        self._now = now

    def hit(self, user: str) -> RateDecision:
        key, retry = self._window(user)
        return self._decision(self._keys.incr(key, WINDOW_S + 5), retry)

    def admit(
        self, user: str, claims: list[str], ttl_s: int, touch: list[str] | None = None, touch_ttl_s: int = 0
    ) -> RateDecision | None:
        """Claims `claims` (dedup keys), sets `touch` and counts the request, in one round trip;
        None for a duplicate."""
        key, retry = self._window(user)
        count = self._keys.admit(claims, ttl_s, key, WINDOW_S + 5, touch, touch_ttl_s)
        return self._decision(count, retry) if count else None

    def _window(self, user: str) -> tuple[str, int]:
        now = self._now()
        window = int(now // WINDOW_S)
        return f"rate:{user}:{window}", max(1, int((window + 1) * WINDOW_S - now))

    def _decision(self, count: int, retry: int) -> RateDecision:
        return RateDecision(count <= self._limit, count, self._limit, retry)
