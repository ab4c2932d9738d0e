"""Builds the Slack app: Web API client, key store, job sink, Bolt app and its listeners.

Where the work after each ack runs (the durable queue, threads here, a worker process) is the
shared choice of `bot/chat/front.py`; the queue's task is `bot/slack/tasks.py`'s.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from starlette.routing import BaseRoute

from agent.runner import error_ref
from agent.turn import Agent
from bot.chat.front import Front, closed_on_failure, open_work, queue_for, require
from bot.chat.keystore import KeyStore
from bot.chat.limits import RateLimiter
from bot.core.reconcile_loop import ReconcileLoop
from bot.serve.queue import QueueClient
from bot.slack.client import make_client, secret
from bot.slack.gate import PENDING_TTL_S, THREAD_TTL_S, SlackGate, click_key, thread_key
from bot.slack.groups import GroupResolver
from bot.slack.jobs import Job, encode
from bot.slack.keystore import open_keystore
from bot.slack.listeners import register_listeners
from bot.slack.responder import SlackResponder
from bot.slack.tasks import DEFAULT_NAMESPACE, TASK
from bot.slack.work import JobSink
from config import Settings

log = logging.getLogger("cloudpilot.slack")


class SlackConfigError(ValueError):
    """The settings cannot run the Slack app; the message says which setting to fix."""


def check_settings(settings: Settings, mode: str) -> None:
    slack = settings.slack
    checks = [
        (bool(secret(slack.bot_token)), "slack.bot_token (CLOUDPILOT_SLACK__BOT_TOKEN, xoxb-…)"),
        (
            mode != "http" or bool(secret(slack.signing_secret)),
            "slack.signing_secret (CLOUDPILOT_SLACK__SIGNING_SECRET)",
        ),
        (
            mode != "socket" or bool(secret(slack.app_token)),
            "slack.app_token (CLOUDPILOT_SLACK__APP_TOKEN, xapp-…, for Socket Mode)",
        ),
    ]
    require(checks, "Slack", "docs/SLACK.md", SlackConfigError)


@dataclass
class SlackApp(Front):
    app: App
    gate: SlackGate
    client: WebClient
    keys: KeyStore
    sink: JobSink
    signing_secret: str
    reconciler: ReconcileLoop | None = None
    queue: QueueClient | None = None
    settings: Settings | None = None

    def routes(self) -> list[BaseRoute]:
        """`POST /slack/events` for a server hosting several front-ends (none in Socket Mode)."""
        from bot.slack.http import SlackEndpoint

        return SlackEndpoint(self.app, self.signing_secret).routes() if self.signing_secret else []


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
    url = queue_for(settings, agent, queue, SlackConfigError)
    client = make_client(settings)
    keys = open_keystore(settings.redis_url, namespace or DEFAULT_NAMESPACE)

    def follow(channel: str, ts: str) -> None:
        keys.claim(thread_key(channel, ts), THREAD_TTL_S)

    def release(approval_id: str, user: str) -> None:
        keys.release(click_key(approval_id, user))

    def in_threads(agent: Agent) -> Callable[[Job], None]:
        return SlackResponder(agent, client, GroupResolver(client, ttl_s=group_ttl_s), follow, release).run

    def in_child() -> JobSink:
        from bot.slack.worker_process import DEFAULT_RUNTIME, ProcessSink

        return ProcessSink(
            settings,
            follow,
            workers=workers,
            runtime_factory=runtime_factory or DEFAULT_RUNTIME,
            nice=worker_nice,
            on_release=release,
        )

    with closed_on_failure(keys.close) as opened:
        work = open_work(settings, agent, url, TASK, encode, in_threads, in_child, workers)
        opened.append(work.close)
        limiter = RateLimiter(keys, settings.slack.rate_limit_per_minute, now)
        gate = SlackGate(keys, limiter, work.sink, pending_ttl_s=claim_pending_s)
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
    register_listeners(app, gate)

    def on_error(error: Exception, body: dict[str, Any]) -> None:
        ref = error_ref()
        log.error("slack listener failed (ref %s) on a %s request", ref, body.get("type"), exc_info=error)

    app.error(on_error)
    return SlackApp(app, gate, client, keys, work.sink, signing_secret, work.reconciler, work.queue, settings)
