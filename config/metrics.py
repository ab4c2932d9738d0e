"""Every Prometheus metric CloudPilot exposes, registered in one place.

Kept in the lowest layer so that any package may record into it (the agent, tools, knowledge
and the store as well as the front-ends): `observe_*` are the hooks for code outside the
serving layer. `bot/serve/server.py` serves `REGISTRY` on `GET /metrics`; each process (front,
worker) exposes its own figures, and Prometheus sums them.

Label values are small, closed sets (a route, a tool name, a status), never user input.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_SLOW = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

# -- ingress -----------------------------------------------------------------------------------
REQUESTS = Counter(
    "cloudpilot_http_requests_total",
    "HTTP requests by route, method and status code",
    ["route", "method", "status"],
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "cloudpilot_ack_seconds",
    "Time from a chat platform's request to its acknowledgement (the HTTP response)",
    ["platform"],
    buckets=_FAST,
    registry=REGISTRY,
)
REFUSED = Counter(
    "cloudpilot_http_refused_total",
    "Requests refused before reaching a front-end, by reason",
    ["reason"],
    registry=REGISTRY,
)
ENQUEUED = Counter(
    "cloudpilot_jobs_enqueued_total", "Jobs handed to the work queue, by kind", ["kind"], registry=REGISTRY
)

# -- the queue (read from the queue's tables at scrape time) -----------------------------------
QUEUE_DEPTH = Gauge(
    "cloudpilot_queue_depth", "Jobs waiting or running, by status", ["status"], registry=REGISTRY
)
QUEUE_AGE = Gauge(
    "cloudpilot_queue_oldest_age_seconds",
    "Age of the oldest job waiting to run (0 when none)",
    registry=REGISTRY,
)
QUEUE_DEAD = Gauge(
    "cloudpilot_queue_dead_jobs",
    "Jobs that failed every attempt (see `cloudpilot jobs list`)",
    registry=REGISTRY,
)

# -- workers -----------------------------------------------------------------------------------
JOBS = Counter(
    "cloudpilot_jobs_total",
    "Jobs run by workers, by kind and outcome (ok, retry, failed, skipped)",
    ["kind", "outcome"],
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "cloudpilot_job_seconds",
    "Time a worker spent on one job, by kind",
    ["kind"],
    buckets=_SLOW,
    registry=REGISTRY,
)
TURNS = Counter(
    "cloudpilot_turns_total",
    "Agent turns by tool called ('none' for a turn without tools) and status (ok, error)",
    ["tool", "status"],
    registry=REGISTRY,
)
TURN_SECONDS = Histogram(
    "cloudpilot_turn_seconds", "Agent turn duration", ["platform"], buckets=_SLOW, registry=REGISTRY
)
APPROVALS = Gauge(
    "cloudpilot_approvals", "Approval requests by state (read at scrape time)", ["state"], registry=REGISTRY
)
APPROVAL_DECISIONS = Counter(
    "cloudpilot_approval_decisions_total",
    "Approval button clicks by result (decided, refused, expired)",
    ["result"],
    registry=REGISTRY,
)

# -- below the front-ends (hooks) ----------------------------------------------------------------
LLM_SECONDS = Histogram(
    "cloudpilot_llm_seconds", "LLM call latency by provider", ["provider"], buckets=_SLOW, registry=REGISTRY
)
LLM_ERRORS = Counter(
    "cloudpilot_llm_errors_total",
    "LLM calls that failed or timed out, by provider and kind",
    ["provider", "kind"],
    registry=REGISTRY,
)
SCAN_SECONDS = Histogram(
    "cloudpilot_scan_seconds", "Security scan duration", buckets=_SLOW, registry=REGISTRY
)
INGEST_SECONDS = Histogram(
    "cloudpilot_ingest_seconds",
    "Ingest duration by kind (cost, knowledge)",
    ["kind"],
    buckets=_SLOW,
    registry=REGISTRY,
)

for _provider in ("openai", "anthropic", "ollama"):  # present (at zero) before the first call
    LLM_ERRORS.labels(_provider, "error")


def observe_llm(provider: str, seconds: float, error: str | None = None) -> None:
    """One LLM call: its latency, and `error` ("timeout", "error") when it failed."""
    LLM_SECONDS.labels(provider).observe(seconds)
    if error:
        LLM_ERRORS.labels(provider, error).inc()


def observe_scan(seconds: float) -> None:
    SCAN_SECONDS.observe(seconds)


def observe_ingest(kind: str, seconds: float) -> None:
    INGEST_SECONDS.labels(kind).observe(seconds)


@contextmanager
def timed(observe: Callable[[float], None]) -> Iterator[None]:
    """`with timed(observe_scan): ...` records the block's duration, also when it raises."""
    start = time.perf_counter()
    try:
        yield
    finally:
        observe(time.perf_counter() - start)
