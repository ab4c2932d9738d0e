"""Slack ack latency and memory under load: signed events sent to the running HTTP server.

Three processes: the CloudPilot Slack server (the real app, HTTP mode, Redis when reachable),
a fake Slack Web API that the server's background work posts answers to, and this driver,
which sends correctly signed `app_mention` events at a fixed rate (open loop: one request is
started every 1/rate seconds whatever the server does) and times each HTTP response (the ack).
Each rate runs against a fresh server, so its peak memory (VmHWM) is its own.

    python -m bench.slack_bench                        # 50, 100, 200 events/s, 10 s each
    python -m bench.slack_bench --rates 100 --duration 20 --work offline
    python -m bench.slack_bench --worker queue --queue-workers 2 --rates 100,200   # durable queue
    python -m bench.slack_bench --throughput 1,2,4 --burst 400     # answers/s with 1, 2, 4 workers

--worker queue: the front only verifies, deduplicates, inserts the job in PostgreSQL
  (procrastinate) and acks; `--queue-workers` `cloudpilot serve worker` processes answer.
  Each run gets a fresh PostgreSQL schema (TEST_POSTGRES_URL, or --database-url).
--throughput N,…: for each N, a queue-mode front and N worker processes; a burst of `--burst`
  events is sent as fast as the front acks them, and the time until the last one is answered
  gives end-to-end answers per second.

--work echo: every event runs a full agent turn (LangGraph graph, SQLite checkpoints) with
  a trivial tool; --work offline: the real offline planner and tool registry answer a cost
  question from the bundled FOCUS data (heavier).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

SECRET = "bench-signing-secret-0123456789abcdef"
QUESTION = {"echo": "ping", "offline": "how much did we spend on EC2 last month?", "none": ""}


# -- child processes ----------------------------------------------------------------------------
def serve(args: argparse.Namespace) -> None:
    """The server process: the real Slack app on 127.0.0.1, answers going to the fake Slack."""
    from agent.turn import Agent
    from bot.slack.app import build_slack_app
    from bot.slack.http import SlackHttpServer
    from bot.slack.worker_process import DEFAULT_RUNTIME, load_factory
    from config import load_settings

    settings = load_settings(
        data_dir=Path(args.data_dir),
        now="2024-10-15",
        log_level="ERROR",
        redis_url=None if args.redis_url == "none" else args.redis_url,
        aws={"endpoint_url": "http://127.0.0.1:9"},  # never called by these questions
        slack={
            "bot_token": "xoxb-bench",
            "signing_secret": SECRET,
            "api_url": args.api_url,
            "rate_limit_per_minute": 1_000_000,
        },
    )
    namespace = args.namespace
    factory = "tests.bot.slack.doubles:echo_runtime" if args.work in ("echo", "none") else DEFAULT_RUNTIME
    runtime = None
    if args.worker == "queue":
        settings = settings.model_copy(update={"database_url": args.database_url})
        slack = build_slack_app(settings, queue=True, namespace=namespace)
    elif args.worker == "process":
        slack = build_slack_app(settings, runtime_factory=factory, workers=args.workers, namespace=namespace)
    else:
        runtime = load_factory(factory)(settings)
        slack = build_slack_app(settings, Agent(runtime), workers=args.workers, namespace=namespace)
    server = SlackHttpServer(slack.app, SECRET, "127.0.0.1", 0)
    signal.signal(signal.SIGTERM, _interrupt)  # the driver stops us with SIGTERM: clean up the worker
    print(f"READY {server.url}", flush=True)
    try:
        server.serve_forever()  # uvicorn: returns on SIGTERM once the requests in flight are done
    except KeyboardInterrupt:
        pass
    finally:
        slack.close()
        if runtime is not None:
            runtime.close()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def fake_slack() -> None:
    from tests.bot.slack.fake_slack import FakeSlack

    # It stands in for slack.com, which does not share this machine's CPUs: let it yield to
    # the server under test (the driver, which measures, runs at normal priority).
    os.nice(10)
    fake = FakeSlack().start()
    print(f"READY {fake.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


def _spawn(*argv: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.slack_bench", *argv],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"{argv[0]} did not start: {line!r}")
    return proc, line.split(" ", 1)[1]


# -- the durable queue: a schema per run, worker processes ---------------------------------------
def _postgres_default() -> str:
    return os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class _Schema:
    """A fresh PostgreSQL schema for one run (the queue, its records, the agent's tables)."""

    def __init__(self, base: str) -> None:
        import psycopg

        self.base = base
        self.name = f"cp_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{self.name}"')
        sep = "&" if "?" in base else "?"
        self.url = f"{base}{sep}options=-csearch_path%3D{self.name}"

    def workers_alive(self) -> int:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            if conn.execute("SELECT to_regclass('procrastinate_workers')").fetchone() == (None,):
                return 0
            row = conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
            return int(row[0]) if row else 0

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{self.name}" CASCADE')


def _start_workers(
    n: int, schema: _Schema, args: argparse.Namespace, fake_url: str, namespace: str, data_dir: str
) -> list[subprocess.Popen[str]]:
    env = {
        **os.environ,
        "CLOUDPILOT_DATABASE_URL": schema.url,
        "CLOUDPILOT_CHECKPOINT_URL": schema.url,
        "CLOUDPILOT_DATA_DIR": data_dir,
        "CLOUDPILOT_NOW": "2024-10-15",
        "CLOUDPILOT_LOG_LEVEL": "ERROR",
        "CLOUDPILOT_SLACK__BOT_TOKEN": "xoxb-bench",
        "CLOUDPILOT_SLACK__SIGNING_SECRET": SECRET,
        "CLOUDPILOT_SLACK__API_URL": fake_url + "/api/",
        "CLOUDPILOT_AWS__ENDPOINT_URL": "http://127.0.0.1:9",
    }
    if args.redis_url != "none":
        env["CLOUDPILOT_REDIS_URL"] = args.redis_url
    factory = "tests.bot.slack.doubles:echo_runtime" if args.work in ("echo", "none") else None
    argv = [
        sys.executable,
        "-m",
        "bot.main",
        "serve",
        "worker",
        "--concurrency",
        str(args.worker_concurrency),
    ]
    argv += ["--plain-logs"] + (["--runtime-factory", factory] if factory else [])
    procs = [
        subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[1], text=True
        )
        for _ in range(n)
    ]
    deadline = time.monotonic() + 480
    while schema.workers_alive() < n:
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            for p in procs:
                _stop(p)
            codes = [p.poll() for p in procs]
            raise RuntimeError(f"the queue workers did not start (exit codes {codes})")
        time.sleep(0.5)
    # Niced once up: in production the workers run on other machines, not on the front's CPUs.
    for p in procs:
        os.setpriority(os.PRIO_PROCESS, p.pid, 10)
    return procs


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _tree(pid: int) -> list[int]:
    """The server and its worker process (Linux /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    return [pid, *kids]


def _status_mib(pid: int, field: str) -> float:
    total = 0.0
    for p in _tree(pid):
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                total += int(line.split()[1]) / 1024
    return total


def _cpu_s(pid: int) -> float:
    """CPU seconds used so far by the serving process alone (not its worker)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mib(pid: int) -> float:
    """Sum of each process's own peak (VmHWM): an upper bound of the tree's peak."""
    return _status_mib(pid, "VmHWM")


def _rss_mib(pid: int) -> float:
    return _status_mib(pid, "VmRSS")


def _answers(fake_url: str) -> int:
    with urllib.request.urlopen(fake_url + "/stats", timeout=5) as resp:
        return int(json.loads(resp.read()).get("chat.update", 0))


# -- the driver --------------------------------------------------------------------------------
@dataclass
class Result:
    rate: int
    sent: int
    achieved_rate: float
    ok: int
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    idle_rss_mib: float
    peak_rss_mib: float
    answered: int
    drain_s: float
    load_before: float
    serving_cpu_ms_per_event: float


def _signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}


def _event(i: int, text: str) -> str:
    # Unique per request (warm-up included): a repeated ts would be dropped as a duplicate.
    ts = f"{1_700_100_000 + i}.{uuid.uuid4().int % 1_000_000:06d}"
    event = {
        "type": "app_mention",
        "user": f"U{i % 500:05d}",
        "channel": "C0BENCH",
        "ts": ts,
        "text": f"<@UBOT> {text}",
        "event_ts": ts,
    }
    if not text:  # --work none: channel chatter, acknowledged and ignored
        event.update(type="message", channel_type="channel", text="lunch?")
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": f"EvBENCH{uuid.uuid4().hex[:12]}",
            "event_time": 1_700_100_000,
            "event": event,
        }
    )


async def _drive(url: str, rate: int, duration: float, text: str) -> tuple[list[float], int, float]:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    total = int(rate * duration)
    # A new connection per request, as Slack opens them; no client-side queueing limit.
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(i: int) -> None:
            nonlocal errors
            body = _event(i, text)
            headers = _signed(body)
            start = time.perf_counter()
            try:
                async with session.post(url + "/slack/events", data=body.encode(), headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        errors += 1
                        return
            except (aiohttp.ClientError, TimeoutError):
                errors += 1
                return
            latencies.append((time.perf_counter() - start) * 1000)

        tasks = []
        t0 = time.perf_counter()
        for i in range(total):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        elapsed = time.perf_counter() - t0
        await asyncio.gather(*tasks)
    return latencies, errors, total / elapsed if elapsed > 0 else float("nan")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


@contextlib.contextmanager
def _deployment(
    args: argparse.Namespace, fake_url: str, worker: str, queue_workers: int
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A `serve slack` front (and, for the durable queue, its worker processes on a fresh
    schema) for one run; everything is stopped and dropped afterwards. Yields the front and its
    URL."""
    namespace = f"cloudpilot-bench:{uuid.uuid4().hex}"
    schema = _Schema(args.database_url) if worker == "queue" else None
    workers: list[subprocess.Popen[str]] = []
    with tempfile.TemporaryDirectory(prefix="cloudpilot-bench-") as data_dir:
        try:
            if schema is not None:
                from bot.serve.queue import ensure_schema

                ensure_schema(schema.url)
                workers = _start_workers(queue_workers, schema, args, fake_url, namespace, data_dir)
            server, url = _spawn(
                "serve",
                "--api-url",
                fake_url + "/api/",
                "--data-dir",
                data_dir,
                "--redis-url",
                args.redis_url,
                "--work",
                args.work,
                "--workers",
                str(args.workers),
                "--worker",
                worker,
                "--namespace",
                namespace,
                "--database-url",
                schema.url if schema is not None else "none",
            )
            try:
                yield server, url
            finally:
                _stop(server)
        finally:
            for proc in workers:
                _stop(proc)
            _forget(args.redis_url, namespace)
            if schema is not None:
                schema.drop()


def _await_answers(fake_url: str, start: int, target: int, timeout_s: float, poll_s: float) -> int:
    """Answers posted since `start`, waiting up to `timeout_s` for `target` of them."""
    deadline = time.monotonic() + timeout_s
    answered = _answers(fake_url) - start
    while answered < target and time.monotonic() < deadline:
        time.sleep(poll_s)
        answered = _answers(fake_url) - start
    return answered


def _warm_up(url: str, fake_url: str, work: str, timeout_s: float) -> None:
    """The first turns pay for imports and caches; they are not measured."""
    before = _answers(fake_url)
    asyncio.run(_drive(url, 20, 0.5, QUESTION[work]))
    if work != "none":
        _await_answers(fake_url, before, 10, timeout_s, 0.1)
    time.sleep(1.0)


def run_rate(rate: int, args: argparse.Namespace, fake_url: str) -> Result:
    with _deployment(args, fake_url, args.worker, args.queue_workers) as (server, url):
        _warm_up(url, fake_url, args.work, 60)
        load = os.getloadavg()[0]
        idle = _rss_mib(server.pid)
        start_answers = _answers(fake_url)
        cpu_before = _cpu_s(server.pid)
        latencies, errors, achieved = asyncio.run(_drive(url, rate, args.duration, QUESTION[args.work]))
        serving_cpu = _cpu_s(server.pid) - cpu_before
        sent = int(rate * args.duration)
        sent_done = time.monotonic()
        target = sent - errors if args.work != "none" else 0
        answered = _await_answers(fake_url, start_answers, target, args.drain_timeout, 0.2)
        drain = time.monotonic() - sent_done
        peak = _peak_rss_mib(server.pid)
    return Result(
        rate=rate,
        sent=sent,
        achieved_rate=round(achieved, 1),
        ok=len(latencies),
        errors=errors,
        p50_ms=round(statistics.median(latencies), 2) if latencies else float("nan"),
        p99_ms=round(_pct(latencies, 0.99), 2),
        max_ms=round(max(latencies, default=float("nan")), 2),
        idle_rss_mib=round(idle, 1),
        peak_rss_mib=round(peak, 1),
        answered=answered,
        drain_s=round(drain, 1),
        load_before=round(load, 2),
        serving_cpu_ms_per_event=round(serving_cpu * 1000 / max(1, sent), 2),
    )


@dataclass
class Throughput:
    workers: int
    events: int
    ack_errors: int
    answered: int
    seconds: float
    answers_per_s: float
    load_before: float


def run_throughput(n: int, args: argparse.Namespace, fake_url: str) -> Throughput:
    """A burst of events through a queue-mode front; N workers answer; answers per second."""
    with _deployment(args, fake_url, "queue", n) as (_server, url):
        _warm_up(url, fake_url, args.work, 120)
        load = os.getloadavg()[0]
        start_answers = _answers(fake_url)
        t0 = time.monotonic()
        _, errors, _ = asyncio.run(
            _drive(url, args.burst_rate, args.burst / args.burst_rate, QUESTION[args.work])
        )
        answered = _await_answers(fake_url, start_answers, args.burst - errors, args.drain_timeout, 0.05)
        seconds = time.monotonic() - t0
    return Throughput(
        n, args.burst, errors, answered, round(seconds, 1), round(answered / seconds, 1), round(load, 2)
    )


def _forget(redis_url: str, namespace: str) -> None:
    """Drops the run's dedup and rate-limit keys (they would otherwise live for a day)."""
    if redis_url == "none":
        return
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(f"{namespace}:*", count=1000))
        for i in range(0, len(keys), 500):
            client.delete(*keys[i : i + 500])
    finally:
        client.close()


def _redis_default() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return url
    except Exception:
        return "none"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="role")
    srv = sub.add_parser("serve", help=argparse.SUPPRESS)
    srv.add_argument("--api-url", required=True)
    srv.add_argument("--data-dir", required=True)
    srv.add_argument("--redis-url", default="none")
    srv.add_argument("--work", choices=sorted(QUESTION), default="echo")
    srv.add_argument("--workers", type=int, default=4)
    srv.add_argument("--worker", choices=["process", "thread", "queue"], default="process")
    srv.add_argument("--namespace", required=True)
    srv.add_argument("--database-url", default="none")
    sub.add_parser("fake-slack", help=argparse.SUPPRESS)
    parser.add_argument("--rates", default="50,100,200", help="events per second, comma-separated")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per rate")
    parser.add_argument("--work", choices=sorted(QUESTION), default="echo")
    parser.add_argument("--workers", type=int, default=4, help="the server's background threads")
    parser.add_argument(
        "--worker",
        choices=["process", "thread", "queue"],
        default="process",
        help="agent turns in a worker process (the single-machine default), in threads, or from the "
        "durable queue by `serve worker` processes",
    )
    parser.add_argument("--queue-workers", type=int, default=2, help="queue mode: worker processes")
    parser.add_argument("--worker-concurrency", type=int, default=2, help="queue mode: jobs per worker")
    parser.add_argument("--database-url", default=None, help="queue mode: PostgreSQL (a schema per run)")
    parser.add_argument("--throughput", default=None, help="worker counts, e.g. 1,2,4: end-to-end runs")
    parser.add_argument("--burst", type=int, default=400, help="throughput: events per run")
    parser.add_argument("--burst-rate", type=int, default=200, help="throughput: events/s while sending")
    parser.add_argument("--redis-url", default=None, help="'none' for the in-process store")
    parser.add_argument("--drain-timeout", type=float, default=120.0)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)

    if args.role == "serve":
        serve(args)
        return 0
    if args.role == "fake-slack":
        fake_slack()
        return 0

    args.redis_url = args.redis_url or _redis_default()
    args.database_url = args.database_url or _postgres_default()
    store = "redis" if args.redis_url != "none" else "memory"
    if args.throughput:
        return _main_throughput(args)
    print(
        f"work={args.work} worker={args.worker} workers={args.workers} store={store} "
        f"duration={args.duration}s cpus={os.cpu_count()} load={os.getloadavg()[0]:.2f}",
        flush=True,
    )
    fake, fake_url = _spawn("fake-slack")
    results: list[Result] = []
    try:
        for rate in (int(r) for r in args.rates.split(",")):
            result = run_rate(rate, args, fake_url)
            results.append(result)
            print(json.dumps(asdict(result)), flush=True)
    finally:
        _stop(fake)
    print()
    print(
        "| events/s | sent | ack p50 (ms) | ack p99 (ms) | ack max (ms) | errors | peak RSS (MiB) | "
        "serving CPU per event (ms) | answered | backlog drained after (s) | load avg before |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.rate} | {r.sent} | {r.p50_ms} | {r.p99_ms} | {r.max_ms} | {r.errors} | {r.peak_rss_mib} | "
            f"{r.serving_cpu_ms_per_event} | {r.answered} | {r.drain_s} | {r.load_before} |"
        )
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0


def _main_throughput(args: argparse.Namespace) -> int:
    print(
        f"throughput: work={args.work} burst={args.burst} at {args.burst_rate}/s "
        f"concurrency={args.worker_concurrency} cpus={os.cpu_count()} load={os.getloadavg()[0]:.2f}",
        flush=True,
    )
    fake, fake_url = _spawn("fake-slack")
    results: list[Throughput] = []
    try:
        for n in (int(x) for x in args.throughput.split(",")):
            result = run_throughput(n, args, fake_url)
            results.append(result)
            print(json.dumps(asdict(result)), flush=True)
    finally:
        _stop(fake)
    print()
    print("| workers | events | answered | seconds | answers/s | ack errors | load avg before |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for t in results:
        print(
            f"| {t.workers} | {t.events} | {t.answered} | {t.seconds} | {t.answers_per_s} | {t.ack_errors} | "
            f"{t.load_before} |"
        )
    if args.json:
        args.json.write_text(json.dumps([asdict(t) for t in results], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
