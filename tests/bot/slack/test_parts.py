"""The Slack app's parts: key stores (Redis and in-process), rate limit, user groups, work queue."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from slack_sdk import WebClient

from bot.slack.groups import GroupResolver
from bot.slack.keystore import KeyStore, MemoryKeyStore, RedisKeyStore, open_keystore
from bot.slack.limits import RateLimiter
from bot.slack.work import WorkQueue
from tests.bot.slack.conftest import DAVE, MALLORY
from tests.bot.slack.fake_slack import FakeSlack
from tests.services import redis_url


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def keys(store_kind: str, namespace: str) -> Iterator[KeyStore]:
    store = open_keystore(redis_url() if store_kind == "redis" else None, namespace)
    assert isinstance(store, RedisKeyStore if store_kind == "redis" else MemoryKeyStore)
    yield store
    store.close()


def test_claim_is_first_caller_only(keys: KeyStore) -> None:
    assert keys.claim("event:Ev1", 60)
    assert not keys.claim("event:Ev1", 60)
    assert keys.claim("event:Ev2", 60)
    assert keys.exists("event:Ev1") and not keys.exists("event:Ev3")


def test_claim_under_contention_has_one_winner(keys: KeyStore) -> None:
    barrier = threading.Barrier(8)
    wins: list[bool] = []

    def claim() -> None:
        barrier.wait()
        wins.append(keys.claim("action:ap-1:UBOB", 60))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]


def test_counters(keys: KeyStore) -> None:
    assert [keys.incr("rate:U1:1", 60) for _ in range(3)] == [1, 2, 3]
    assert keys.incr("rate:U2:1", 60) == 1


def test_admit_claims_touches_and_counts_in_one_go(keys: KeyStore) -> None:
    assert keys.admit(["event:E1", "msg:C:1"], 60, "rate:U1:1", 60, ["thread:C:1"], 600) == 1
    assert keys.exists("thread:C:1") and keys.exists("msg:C:1")
    assert keys.admit(["event:E1", "msg:C:1"], 60, "rate:U1:1", 60) == 0  # a retry: nothing counted
    assert keys.admit(["event:E2", "msg:C:1"], 60, "rate:U1:1", 60) == 0  # same message, other event
    # A thread that is already followed is touched again, not refused.
    assert keys.admit(["event:E3", "msg:C:2"], 60, "rate:U1:1", 60, ["thread:C:1"], 600) == 2
    assert keys.incr("rate:U1:1", 60) == 3


def test_release_lets_the_key_be_claimed_again(keys: KeyStore) -> None:
    assert keys.claim("action:ap-1:UBOB", 60)
    keys.release("action:ap-1:UBOB")
    keys.release("action:ap-1:UNOBODY")  # releasing what is not held is harmless
    assert not keys.exists("action:ap-1:UBOB")
    assert keys.claim("action:ap-1:UBOB", 60) and not keys.claim("action:ap-1:UBOB", 60)


@pytest.mark.redis
def test_a_killed_redis_connection_is_replaced(namespace: str) -> None:
    store = open_keystore(redis_url(), namespace)
    assert isinstance(store, RedisKeyStore)
    admin = redis.Redis.from_url(redis_url())

    def kill_our_connection() -> None:
        # Only this store's connection (one, as the calls are sequential), as CLIENT KILL TYPE
        # normal would, without cutting off anyone else's tests on the same server.
        own = str(store._redis.client_id())
        assert admin.client_kill_filter(_id=own, _type="normal") == 1
        assert own not in {str(c["id"]) for c in admin.client_list()}

    try:
        assert store.claim("event:Ev1", 60)
        kill_our_connection()
        assert not store.claim("event:Ev1", 60)  # answered on a fresh connection
        kill_our_connection()
        assert store.incr("rate:U1:1", 60) == 1
        kill_our_connection()
        assert store.admit(["event:Ev2"], 60, "rate:U1:1", 60) == 2
        kill_our_connection()
        store.release("event:Ev1")
        assert store.claim("event:Ev1", 60)
    finally:
        store.close()
        admin.close()


@pytest.mark.redis
def test_namespaces_do_not_collide(namespace: str) -> None:
    a = open_keystore(redis_url(), f"{namespace}:a")
    b = open_keystore(redis_url(), f"{namespace}:b")
    try:
        assert a.claim("k", 60) and b.claim("k", 60)
    finally:
        a.close()
        b.close()


def test_memory_keys_expire() -> None:
    clock = Clock()
    store = MemoryKeyStore("t", now=clock)
    assert store.claim("k", 10) and store.incr("c", 10) == 1
    clock.t += 11
    assert store.claim("k", 10) and store.incr("c", 10) == 1
    for i in range(3000):  # the amortised sweep drops expired keys
        store.claim(f"x{i}", 1)
    clock.t += 2
    store.claim("trigger", 1)
    for _ in range(1024):
        store.exists("nothing")
        store.claim("trigger", 1)
    assert len(store._expiry) < 100


def test_unreachable_redis_fails_at_start() -> None:
    with pytest.raises(RuntimeError, match="cannot reach Redis"):
        open_keystore("redis://127.0.0.1:1/0", "t")


def test_rate_limit_window(keys: KeyStore) -> None:
    clock = Clock(1_700_000_080.0)  # 40 s into a minute
    limiter = RateLimiter(keys, 2, now=clock)
    first, second, third, fourth = (limiter.hit("UALICE") for _ in range(4))
    assert first.allowed and second.allowed
    assert not third.allowed and third.first_refusal and third.retry_after_s == 20
    assert not fourth.allowed and not fourth.first_refusal
    assert "try again in 20 s" in third.message()
    assert limiter.hit("UBOB").allowed
    clock.t += 60  # the next minute
    assert limiter.hit("UALICE").allowed


@pytest.fixture
def slack_api() -> Iterator[FakeSlack]:
    fake = FakeSlack(usergroups={"S0ONCALL": ("oncall", [DAVE]), "S0DBA": ("dbas", [MALLORY])}).start()
    yield fake
    fake.stop()


def test_groups_by_handle_and_id_are_cached(slack_api: FakeSlack) -> None:
    clock = Clock()
    resolver = GroupResolver(WebClient(token="xoxb-t", base_url=slack_api.api_url), ttl_s=300, now=clock)
    policy = ["oncall", "@dbas", "S0ONCALL", "nosuchgroup"]
    assert resolver.groups_of(DAVE, policy) == {"oncall", "S0ONCALL"}
    assert resolver.groups_of(MALLORY, policy) == {"@dbas"}
    assert resolver.groups_of("UNOBODY", policy) == set()
    assert len(slack_api.of("usergroups.list")) == 1
    assert sorted(c.args["usergroup"] for c in slack_api.of("usergroups.users.list")) == ["S0DBA", "S0ONCALL"]
    # Membership changes are seen once the cache entry expires.
    slack_api.usergroups["S0ONCALL"] = ("oncall", [MALLORY])
    assert resolver.groups_of(MALLORY, ["oncall"]) == set()
    clock.t += 301
    assert resolver.groups_of(MALLORY, ["oncall"]) == {"oncall"}
    assert len(slack_api.of("usergroups.users.list")) == 3


def test_group_lookup_failure_grants_nothing(slack_api: FakeSlack) -> None:
    slack_api.failures["usergroups.users.list"] = "missing_scope"
    slack_api.failures["usergroups.list"] = "missing_scope"
    resolver = GroupResolver(WebClient(token="xoxb-t", base_url=slack_api.api_url))
    assert resolver.groups_of(DAVE, ["S0ONCALL", "oncall"]) == set()


def test_work_queue_keeps_order_per_lane_and_runs_lanes_in_parallel() -> None:
    work = WorkQueue(workers=2)
    seen: list[str] = []
    gate = threading.Event()
    lock = threading.Lock()

    def job(name: str, wait: bool = False) -> None:
        if wait:
            assert gate.wait(5)
        with lock:
            seen.append(name)

    work.submit("a", lambda: job("a1", wait=True))
    for i in range(2, 6):
        work.submit("a", lambda i=i: job(f"a{i}"))  # type: ignore[misc]
    work.submit("b", lambda: job("b1"))
    assert _eventually(lambda: seen == ["b1"])  # lane b is not stuck behind lane a
    assert not work.wait_idle(0.05) and work.pending == 5
    gate.set()
    assert work.wait_idle(5)
    assert [s for s in seen if s.startswith("a")] == ["a1", "a2", "a3", "a4", "a5"]

    def boom() -> None:
        raise RuntimeError("a job that fails")

    work.submit("c", boom)
    assert work.wait_idle(5) and work.pending == 0
    work.shutdown()
    with pytest.raises(RuntimeError):
        work.submit("a", lambda: None)


def _eventually(pred: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.01)
    return False
