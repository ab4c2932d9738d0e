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


class KeyStore(Protocol):
    def claim(self, key: str, ttl_s: int) -> bool:
        """Set `key` if absent; True for the first caller only."""
        ...

    def incr(self, key: str, ttl_s: int) -> int:
        """Increment a counter that disappears `ttl_s` seconds after its first increment."""
        ...

    def exists(self, key: str) -> bool: ...

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

    def close(self) -> None:
        with self._lock:
            self._expiry.clear()
            self._counts.clear()


class RedisKeyStore:
    def __init__(self, url: str, namespace: str) -> None:
        self._ns = namespace
        self._redis = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)

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

    def close(self) -> None:
        self._redis.close()


def open_keystore(redis_url: str | None, namespace: str = "cloudpilot:slack") -> KeyStore:
    """Redis at `redis_url` (checked now, so a wrong URL fails at start-up), else in-process."""
    if not redis_url:
        return MemoryKeyStore(namespace)
    store = RedisKeyStore(redis_url, namespace)
    try:
        store.ping()
    except redis.RedisError as exc:
        store.close()
        raise RuntimeError(f"cannot reach Redis (redis_url): {exc}") from exc
    return store
