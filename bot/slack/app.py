"""Builds the Slack app: Web API client, key store, job sink, Bolt app and its listeners.

Three ways to run the work that follows each ack:
- `queue=True` (the default when `database_url` is PostgreSQL and no agent is given): the
  durable queue; `cloudpilot serve worker` processes anywhere run the jobs (`bot/slack/tasks.py`);
- `agent=...`: on threads of this process (tests, small set-ups, `--worker thread`);
- otherwise: in a worker process built from `runtime_factory` (the single-machine default for
  `serve slack`), so that agent turns never slow the acks down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from agent.runner import error_ref
from agent.turn import Agent
from bot.chat.keystore import KeyStore
from bot.chat.limits import RateLimiter
from bot.core.reconcile_loop import ReconcileLoop
from bot.serve.checks import standard_checks
from bot.serve.queue import QueueClient, QueueSink, ensure_schema, queue_url
from bot.serve.server import ReadyCheck
from bot.slack.client import make_client, secret
from bot.slack.gate import PENDING_TTL_S, THREAD_TTL_S, SlackGate, click_key, thread_key
from bot.slack.groups import GroupResolver
from bot.slack.jobs import encode
from bot.slack.keystore import open_keystore
from bot.slack.listeners import register_listeners
from bot.slack.responder import SlackResponder
from bot.slack.tasks import DEFAULT_NAMESPACE, TASK
from bot.slack.work import JobSink, ThreadSink
from config import Settings

log = logging.getLogger("cloudpilot.slack")


class SlackConfigError(ValueError):
    """The settings cannot run the Slack app; the message says which setting to fix."""


def check_settings(settings: Settings, mode: str) -> None:
    slack = settings.slack
    missing = []
    if not secret(slack.bot_token):
        missing.append("slack.bot_token (CLOUDPILOT_SLACK__BOT_TOKEN, xoxb-…)")
    if mode == "http" and not secret(slack.signing_secret):
        missing.append("slack.signing_secret (CLOUDPILOT_SLACK__SIGNING_SECRET)")
    if mode == "socket" and not secret(slack.app_token):
        missing.append("slack.app_token (CLOUDPILOT_SLACK__APP_TOKEN, xapp-…, for Socket Mode)")
    if missing:
        raise SlackConfigError("Slack is not configured: set " + "; ".join(missing) + ". See docs/SLACK.md.")


@dataclass
class SlackApp:
    app: App
    gate: SlackGate
    client: WebClient
    keys: KeyStore
    sink: JobSink
    signing_secret: str
    reconciler: ReconcileLoop | None = None
    queue: QueueClient | None = None
    settings: Settings | None = None

    def ready_checks(self) -> dict[str, ReadyCheck]:
        """What `/ready` checks for this process: Redis, and the queue or (with turns here) the
        database and the knowledge base."""
        if self.settings is None:
            return {}
        in_process = self.queue is None
        checks = standard_checks(self.settings, database=in_process, knowledge=in_process)
        if self.queue is not None:
            checks["queue"] = self.queue.ping
        return checks

    def scrape_hooks(self) -> list[Callable[[], None]]:
        return [self.queue.refresh_metrics] if self.queue is not None else []

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Waits until the work queued by acknowledged requests is done (tests, shutdown)."""
        return self.sink.wait_idle(timeout)

    def close(self) -> None:
        if self.reconciler is not None:
            self.reconciler.stop()
        self.sink.close()
        self.keys.close()


def build_slack_app(
    settings: Settings,
    agent: Agent | None = None,
    *,
    runtime_factory: str | None = None,
    mode: str | None = None,
    workers: int = 4,
    namespace: str | None = None,
    now: Callable[[], float] = time.time,
    group_ttl_s: float = 300.0,
    worker_nice: int = 10,
    queue: bool | None = None,
    claim_pending_s: int = PENDING_TTL_S,
) -> SlackApp:
    """`namespace` prefixes every Redis key (default "cloudpilot:slack"); tests pass a random one."""
    check_settings(settings, mode or settings.slack.mode)
    url = queue_url(settings.database_url)
    if queue is None:
        queue = agent is None and url is not None
    if queue and url is None:
        raise SlackConfigError(
            "The durable queue needs database_url = postgresql://… (docs/ARCHITECTURE.md)."
        )
    client = make_client(settings)
    keys = open_keystore(settings.redis_url, namespace or DEFAULT_NAMESPACE)

    def follow(channel: str, ts: str) -> None:
        keys.claim(thread_key(channel, ts), THREAD_TTL_S)

    def release(approval_id: str, user: str) -> None:
        keys.release(click_key(approval_id, user))

    sink: JobSink
    reconciler: ReconcileLoop | None = None
    queue_client: QueueClient | None = None
    try:
        if queue and url is not None:
            ensure_schema(url)
            queue_client = QueueClient(url)
            sink = QueueSink(queue_client, TASK, encode)
        elif agent is not None:
            groups = GroupResolver(client, ttl_s=group_ttl_s)
            responder = SlackResponder(agent, client, groups, follow, release)
            sink = ThreadSink(responder.run, workers)
            # With agent turns in this process, the reconciler runs here (else in the worker).
            reconciler = ReconcileLoop(agent, settings.approvals.reconcile_interval_s).start()
        else:
            from bot.slack.worker_process import DEFAULT_RUNTIME, ProcessSink

            sink = ProcessSink(
                settings,
                follow,
                workers=workers,
                runtime_factory=runtime_factory or DEFAULT_RUNTIME,
                nice=worker_nice,
                on_release=release,
            )
        limiter = RateLimiter(keys, settings.slack.rate_limit_per_minute, now)
        gate = SlackGate(keys, limiter, sink, pending_ttl_s=claim_pending_s)
        signing_secret = secret(settings.slack.signing_secret)
        app = App(
            name="cloudpilot",
            client=client,
            # Empty in Socket Mode, where Bolt skips verification; never read from the environment.
            signing_secret=signing_secret,
            request_verification_enabled=True,
            # Listeners only dedupe and queue, so they run before the response: the ack carries
            # their result and no Bolt thread sits polling for it.
            process_before_response=True,
            logger=logging.getLogger("cloudpilot.slack.bolt"),
        )
    except BaseException:
        if reconciler is not None:
            reconciler.stop()
        if "sink" in locals():
            sink.close()
        elif queue_client is not None:
            queue_client.close()
        keys.close()
        raise
    register_listeners(app, gate)

    def on_error(error: Exception, body: dict[str, Any]) -> None:
        ref = error_ref()
        log.error("slack listener failed (ref %s) on a %s request", ref, body.get("type"), exc_info=error)

    app.error(on_error)
    return SlackApp(app, gate, client, keys, sink, signing_secret, reconciler, queue_client, settings)
