"""The shared admission: claims, the rate limit and the hand-off, for any platform's jobs."""

from __future__ import annotations

import pytest

from bot.chat.dedup import DEDUP_TTL_S, Admission
from bot.chat.keystore import MemoryKeyStore
from bot.chat.limits import RateLimiter


class ListSink:
    def __init__(self, fail: bool = False) -> None:
        self.jobs: list[tuple[str, str]] = []
        self.fail = fail

    def submit(self, lane: str, job: str) -> None:
        if self.fail:
            raise RuntimeError("queue down")
        self.jobs.append((lane, job))

    def wait_idle(self, timeout: float | None = None) -> bool:
        return True

    def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def admission(sink: ListSink, clock: Clock, per_minute: int = 2) -> Admission[str]:
    keys = MemoryKeyStore("test", now=clock)
    return Admission(keys, RateLimiter(keys, per_minute, now=lambda: 60.0), sink, pending_ttl_s=20)


def test_a_duplicate_is_dropped_and_a_flood_refused_once() -> None:
    sink, clock = ListSink(), Clock()
    gate = admission(sink, clock)
    for i in range(4):
        decision = gate.count("U1", [f"event:{i}"])
        assert decision is not None
        if decision.allowed:
            gate.submit("c:main", f"job{i}", [f"event:{i}"])
        else:
            gate.seen([f"event:{i}"])
    assert gate.count("U1", ["event:0"]) is None  # a retry of a handled event
    assert sink.jobs == [("c:main", "job0"), ("c:main", "job1")]
    refusals = [gate.count("U2", [f"e2:{i}"]) for i in range(4)]
    assert [d.first_refusal for d in refusals if d is not None] == [False, False, True, False]


def test_claims_are_kept_a_day_once_queued_and_given_back_when_queueing_fails() -> None:
    sink, clock = ListSink(), Clock()
    gate = admission(sink, clock)
    assert gate.claim("click:ap-1:U1")
    gate.submit("approval:ap-1", "click", ["click:ap-1:U1"])
    clock.now += DEDUP_TTL_S - 1
    assert not gate.claim("click:ap-1:U1")

    broken = admission(ListSink(fail=True), clock)
    assert broken.claim("click:ap-2:U1")
    with pytest.raises(RuntimeError, match="queue down"):
        broken.submit("approval:ap-2", "click", ["click:ap-2:U1"])
    assert broken.claim("click:ap-2:U1")  # the platform's retry is served


def test_an_unqueued_claim_lapses_so_a_retry_after_a_crash_is_served() -> None:
    clock = Clock()
    gate = admission(ListSink(), clock)
    assert gate.claim("event:9")  # the process dies before submitting
    clock.now += 21
    assert gate.claim("event:9")
