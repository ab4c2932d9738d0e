"""Short-lived shared keys: dedup claims, rate-limit counters, active threads.

Redis when configured, so that several processes share them; otherwise an in-process store
for the single-process default. Every key lives under a namespace, so two apps (or two
test runs) on one Redis never see each other's keys.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry


class KeyStore(Protocol):
    def claim(self, key: str, ttl_s: int) -> bool:
        """Set `key` if absent; True for the first caller only."""
        ...

    def incr(self, key: str, ttl_s: int) -> int:
        """Increment a counter that disappears `ttl_s` seconds after its first increment."""
        ...

    def exists(self, key: str) -> bool: ...

    def release(self, key: str) -> None:
        """Drop `key` (a claim or counter), so the next `claim` of it succeeds."""
        ...

    def admit(
        self,
        claims: list[str],
        ttl_s: int,
        counter: str,
        window_s: int,
        touch: list[str] | None = None,
        touch_ttl_s: int = 0,
    ) -> int:
        """Claims `claims` in order; if every one was new, sets the `touch` keys (whether or not
        they exist) and increments `counter`.

        Returns the counter's new value, or 0 when a claim was already held (nothing else done).
        One round trip: this runs inside the ack, where every wait counts.
        """
        ...

    def confirm(self, keys: list[str], ttl_s: int) -> None:
        """Sets a new TTL on keys that exist (claims taken short, kept long once the work is queued)."""
        ...

    def close(self) -> None: ...


class MemoryKeyStore:
    """Thread-safe, expiring keys in this process (no Redis configured)."""

    def __init__(self, namespace: str, now: Callable[[], float] = time.monotonic) -> None:
        self._ns = namespace
        self._now = now
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self._counts: dict[str, int] = {}
        self._ops = 0

    def _live(self, key: str, now: float) -> bool:
        expiry = self._expiry.get(key)
        if expiry is None:
            return False
        if expiry <= now:
            del self._expiry[key]
            self._counts.pop(key, None)
            return False
        return True

    def _sweep(self, now: float) -> None:
        # Amortised clean-up keeps memory bounded without a background thread.
        self._ops += 1
        if self._ops % 1024 == 0:
            for key in [k for k, e in self._expiry.items() if e <= now]:
                del self._expiry[key]
                self._counts.pop(key, None)

    def claim(self, key: str, ttl_s: int) -> bool:
        full = f"{self._ns}:{key}"
        with self._lock:
            now = self._now()
            self._sweep(now)
            if self._live(full, now):
                return False
            self._expiry[full] = now + ttl_s
            return True

    def incr(self, key: str, ttl_s: int) -> int:
        full = f"{self._ns}:{key}"
        with self._lock:
            now = self._now()
            self._sweep(now)
            if not self._live(full, now):
                self._expiry[full] = now + ttl_s
                self._counts[full] = 0
            self._counts[full] += 1
            return self._counts[full]

    def exists(self, key: str) -> bool:
        with self._lock:
            return self._live(f"{self._ns}:{key}", self._now())

    def release(self, key: str) -> None:
        full = f"{self._ns}:{key}"
        with self._lock:
            self._expiry.pop(full, None)
            self._counts.pop(full, None)

    def admit(
        self,
        claims: list[str],
        ttl_s: int,
        counter: str,
        window_s: int,
        touch: list[str] | None = None,
        touch_ttl_s: int = 0,
    ) -> int:
        with self._lock:
            now = self._now()
            self._sweep(now)
            for key in claims:
                full = f"{self._ns}:{key}"
                if self._live(full, now):
                    return 0
                self._expiry[full] = now + ttl_s
            for key in touch or []:
                self._expiry[f"{self._ns}:{key}"] = now + touch_ttl_s
            full = f"{self._ns}:{counter}"
            if not self._live(full, now):
                self._expiry[full] = now + window_s
                self._counts[full] = 0
            self._counts[full] += 1
            return self._counts[full]

    def confirm(self, keys: list[str], ttl_s: int) -> None:
        with self._lock:
            now = self._now()
            for key in keys:
                full = f"{self._ns}:{key}"
                if self._live(full, now):
                    self._expiry[full] = now + ttl_s

    def close(self) -> None:
        with self._lock:
            self._expiry.clear()
            self._counts.clear()


# KEYS: the claims, the touched keys, the counter.
# ARGV: number of claims, claim TTL, touch TTL, counter TTL.
_ADMIT = """
local claims = tonumber(ARGV[1])
for i = 1, claims do
  if not redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[2]) then return 0 end
end
for i = claims + 1, #KEYS - 1 do
  redis.call('SET', KEYS[i], '1', 'EX', ARGV[3])
end
local n = redis.call('INCR', KEYS[#KEYS])
if n == 1 then redis.call('EXPIRE', KEYS[#KEYS], ARGV[4]) end
return n
"""


def redis_client(url: str) -> redis.Redis:
    """A client that outlives a Redis restart or a dropped connection.

    A connection killed while idle (server restart, failover, CLIENT KILL, a NAT timeout) is
    found by the health check or fails once, and the command is retried on a fresh connection
    with backoff. A retried SET NX whose first reply was lost reads as "already claimed": the
    rare cost is one dropped event, never one handled twice.
    """
    return redis.Redis.from_url(
        url,
        socket_timeout=2.0,
        socket_connect_timeout=2.0,
        health_check_interval=15,
        # Few, short retries: these calls run inside the ack, which platforms want within seconds
        # (Slack: 3 s).
        retry=Retry(
            ExponentialBackoff(cap=0.5, base=0.05),
            retries=2,
            supported_errors=(redis.ConnectionError, redis.TimeoutError),
        ),
    )


class RedisKeyStore:
    def __init__(self, url: str, namespace: str) -> None:
        self._ns = namespace
        self._redis = redis_client(url)
        self._admit = self._redis.register_script(_ADMIT)

    def ping(self) -> None:
        self._redis.ping()

    def claim(self, key: str, ttl_s: int) -> bool:
        return bool(self._redis.set(f"{self._ns}:{key}", b"1", nx=True, ex=ttl_s))

    def incr(self, key: str, ttl_s: int) -> int:
        full = f"{self._ns}:{key}"
        pipe = self._redis.pipeline(transaction=True)
        pipe.incr(full)
        pipe.expire(full, ttl_s, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def exists(self, key: str) -> bool:
        return bool(self._redis.exists(f"{self._ns}:{key}"))

    def release(self, key: str) -> None:
        self._redis.delete(f"{self._ns}:{key}")

    def admit(
        self,
        claims: list[str],
        ttl_s: int,
        counter: str,
        window_s: int,
        touch: list[str] | None = None,
        touch_ttl_s: int = 0,
    ) -> int:
        keys = [f"{self._ns}:{k}" for k in [*claims, *(touch or []), counter]]
        return int(self._admit(keys=keys, args=[len(claims), ttl_s, max(1, touch_ttl_s), window_s]))

    def confirm(self, keys: list[str], ttl_s: int) -> None:
        if not keys:
            return
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.expire(f"{self._ns}:{key}", ttl_s)
        pipe.execute()

    def close(self) -> None:
        self._redis.close()


def open_keystore(redis_url: str | None, namespace: str) -> KeyStore:
    """Redis at `redis_url` (checked now, so a wrong URL fails at start-up), else in-process.
    `namespace` prefixes every key: one per platform ("cloudpilot:slack"), or a test's own."""
    if not redis_url:
        return MemoryKeyStore(namespace)
    store = RedisKeyStore(redis_url, namespace)
    try:
        store.ping()
    except redis.RedisError as exc:
        store.close()
        raise RuntimeError(f"cannot reach Redis (redis_url): {exc}") from exc
    return store
