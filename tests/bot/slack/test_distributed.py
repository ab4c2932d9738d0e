"""Two front-ends and two workers against one PostgreSQL and one Redis, with SIGKILLs.

Real processes (`cloudpilot serve slack --worker queue`, `cloudpilot serve worker`), a fake Slack
Web API in this process, and a driver that behaves like Slack: it sends N signed mentions, each
to a random front, and re-sends any request that was not acknowledged with a 200 (a dead front,
a connection reset) a few seconds later, to a random front, as Slack's retries reach another
replica behind the load balancer. During the run a random front and then a random worker are
killed with SIGKILL and started again. Every mention must be answered, and answered once: one
"Working on it…" placeholder in its thread, replaced by the answer.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from bot.slack.responder import WORKING
from tests.bot.slack.conftest import SECRET
from tests.bot.slack.fake_slack import FakeSlack
from tests.bot.slack.queue_rig import pg_schema
from tests.services import need, redis_url

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[3]
EVENTS = int(os.environ.get("CHAOS_EVENTS", "80"))
RATE = 8.0  # events per second


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.main", *self.argv], cwd=ROOT, env=self.env, stdout=out, stderr=out
        )

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@dataclass
class Front(Proc):
    port: int = 0

    def ready(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/ready")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False


@dataclass
class Driver:
    fronts: list[Front]
    acked: dict[int, int] = field(default_factory=dict)  # event -> attempts until acked
    failures: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def body(self, i: int) -> tuple[str, str]:
        ts = f"{1_700_500_000 + i}.{i:06d}"
        event = {
            "type": "app_mention",
            "user": f"U{i % 7:04d}",
            "channel": "C0CHAOS",
            "ts": ts,
            "text": f"<@UBOT> q{i}",
            "event_ts": ts,
        }
        envelope = {
            "type": "event_callback",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "event_id": f"Ev{i:08d}",
            "event_time": 1_700_500_000 + i,
            "event": event,
            "authorizations": [{"team_id": "T0001", "user_id": "UBOT", "is_bot": True}],
        }
        return ts, json.dumps(envelope)

    def send(self, i: int) -> None:
        _, body = self.body(i)
        for attempt in range(1, 30):
            front = random.choice(self.fronts)
            ts = str(int(time.time()))
            sig = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
            headers = {
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sig,
            }
            if attempt > 1:
                headers["X-Slack-Retry-Num"] = str(attempt - 1)
            try:
                conn = http.client.HTTPConnection("127.0.0.1", front.port, timeout=5)
                conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
                status = conn.getresponse().status
                conn.close()
            except OSError as exc:
                status = 0
                with self.lock:
                    self.failures[type(exc).__name__] += 1
            if status == 200:
                with self.lock:
                    self.acked[i] = attempt
                return
            if status:
                with self.lock:
                    self.failures[f"http {status}"] += 1
            time.sleep(3.0)  # Slack retries later; longer than the fronts' pending claims (2 s)
        raise AssertionError(f"event {i} was never acknowledged")


def test_two_fronts_two_workers_with_sigkills_answer_every_event_once(
    tmp_path: Path, fake_slack: FakeSlack, namespace: str
) -> None:
    need("redis")
    with pg_schema() as db:
        env = {
            **os.environ,
            "CLOUDPILOT_DATABASE_URL": db,
            "CLOUDPILOT_CHECKPOINT_URL": db,
            "CLOUDPILOT_REDIS_URL": redis_url(),
            "CLOUDPILOT_DATA_DIR": str(tmp_path / "data"),
            "CLOUDPILOT_NOW": "2024-10-15",
            "CLOUDPILOT_LOG_LEVEL": "WARNING",
            "CLOUDPILOT_SLACK__BOT_TOKEN": "xoxb-chaos",
            "CLOUDPILOT_SLACK__SIGNING_SECRET": SECRET,
            "CLOUDPILOT_SLACK__API_URL": fake_slack.api_url,
            "CLOUDPILOT_SLACK__RATE_LIMIT_PER_MINUTE": "1000000",
        }
        front_args = [
            "--worker",
            "queue",
            "--host",
            "127.0.0.1",
            "--namespace",
            namespace,
            "--claim-pending-s",
            "2",
        ]
        fronts = []
        for n in (1, 2):
            port = _free_port()
            fronts.append(
                Front(
                    f"front{n}",
                    ["serve", "slack", *front_args, "--port", str(port)],
                    env,
                    tmp_path / f"front{n}.log",
                    port=port,
                )
            )
        workers = [
            Proc(
                f"worker{n}",
                [
                    "serve",
                    "worker",
                    "--runtime-factory",
                    "tests.bot.slack.doubles:slow_context_runtime",
                    "--concurrency",
                    "2",
                    "--heartbeat-s",
                    "1",
                    "--stalled-after-s",
                    "4",
                ],
                env,
                tmp_path / f"worker{n}.log",
            )
            for n in (1, 2)
        ]
        # The schema is created by the first process; the others wait on its lock.
        procs: list[Proc] = [*fronts, *workers]
        try:
            for p in procs:
                p.start()
            deadline = time.monotonic() + 240
            while not all(f.ready() for f in fronts):
                assert time.monotonic() < deadline, "the fronts did not start: " + _tail(procs)
                time.sleep(0.5)
            driver = Driver(fronts)
            kills: list[str] = []
            senders: list[threading.Thread] = []
            rng = random.Random()
            kill_front_at, kill_worker_at = EVENTS // 3, EVENTS // 2
            for i in range(EVENTS):
                thread = threading.Thread(target=driver.send, args=(i,), daemon=True)
                thread.start()
                senders.append(thread)
                if i == kill_front_at:
                    victim = rng.choice(fronts)
                    victim.kill()
                    kills.append(victim.name)
                    victim.start()
                if i == kill_worker_at:
                    # With 3 jobs running on two workers of concurrency 2, each has one in hand.
                    in_hand = _wait_doing(db, 3)
                    worker = rng.choice(workers)
                    worker.kill()
                    kills.append(f"{worker.name} with {in_hand} jobs running")
                    worker.start()
                time.sleep(1.0 / RATE)
            for thread in senders:
                thread.join(timeout=180)
            assert len(driver.acked) == EVENTS, f"acknowledged {len(driver.acked)}/{EVENTS}: " + _tail(procs)

            # Every event: one placeholder in its thread, replaced by the answer to it.
            threads = {i: driver.body(i)[0] for i in range(EVENTS)}
            deadline = time.monotonic() + 240
            while True:
                report = _report(fake_slack, threads)
                if not report.lost or time.monotonic() > deadline:
                    break
                time.sleep(1.0)
            summary = {
                "events": EVENTS,
                "kills": kills,
                "acked_after_retry": sum(1 for a in driver.acked.values() if a > 1),
                "send_failures": dict(driver.failures),
                "answered": report.answered,
                "lost": len(report.lost),
                "duplicated": len(report.duplicated),
                "turn_asked_twice": len(report.turn_asked_twice),
            }
            print("CHAOS " + json.dumps(summary))
            (tmp_path / "chaos.json").write_text(json.dumps(summary))
            assert report.lost == [], f"unanswered: {report.lost[:10]} " + _tail(procs)
            assert report.duplicated == [], f"posted twice: {report.duplicated[:10]}"
            assert report.answered == EVENTS
        finally:
            for p in procs:
                p.stop()


@dataclass
class Report:
    answered: int
    lost: list[int]
    duplicated: list[int]
    turn_asked_twice: list[int]


def _report(fake: FakeSlack, threads: dict[int, str]) -> Report:
    """Per event: its placeholders (posted messages in its thread) and what they were updated to."""
    updates: dict[str, str] = {}
    for call in fake.of("chat.update"):
        updates[str(call.args.get("ts"))] = str(call.args.get("text"))
    by_thread: dict[str, list[str]] = {}
    for (_, ts), message in list(fake.messages.items()):
        if message.get("text") == WORKING:
            by_thread.setdefault(str(message.get("thread_ts")), []).append(ts)
    lost, duplicated, reasked = [], [], []
    answered = 0
    for i, thread in threads.items():
        mine = by_thread.get(thread, [])
        if len(mine) > 1:
            duplicated.append(i)
        texts = [updates.get(ts, "") for ts in mine]
        if any(f": q{i} (" in t for t in texts):
            answered += 1
            if not any(t.startswith("turn 1:") for t in texts):
                reasked.append(i)  # the turn ran twice (killed after the agent, before its record)
        else:
            lost.append(i)
    return Report(answered, lost, duplicated, reasked)


def _wait_doing(db: str, count: int, timeout_s: float = 10.0) -> int:
    """Waits until `count` jobs are running (or the timeout); returns how many are."""
    deadline = time.monotonic() + timeout_s
    with psycopg.connect(db, autocommit=True) as conn:
        while True:
            row = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'").fetchone()
            doing = int(row[0]) if row else 0
            if doing >= count or time.monotonic() > deadline:
                return doing
            time.sleep(0.02)


def _tail(procs: list[Proc]) -> str:
    out = []
    for p in procs:
        text = p.log.read_text(errors="replace") if p.log.exists() else ""
        out.append(f"\n--- {p.name} (started {p.starts}x) ---\n{text[-1500:]}")
    return "".join(out)
