"""Builds the Slack app: Web API client, key store, work queue, Bolt app and its listeners."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from agent.runner import error_ref
from agent.turn import Agent
from bot.slack.frontend import SlackFrontend
from bot.slack.groups import GroupResolver
from bot.slack.keystore import KeyStore, open_keystore
from bot.slack.limits import RateLimiter
from bot.slack.listeners import register_listeners
from bot.slack.work import WorkQueue
from config import Settings

log = logging.getLogger("cloudpilot.slack")


class SlackConfigError(ValueError):
    """The settings cannot run the Slack app; the message says which setting to fix."""


def check_settings(settings: Settings, mode: str) -> None:
    slack = settings.slack
    missing = []
    if not _secret(slack.bot_token):
        missing.append("slack.bot_token (CLOUDPILOT_SLACK__BOT_TOKEN, xoxb-…)")
    if mode == "http" and not _secret(slack.signing_secret):
        missing.append("slack.signing_secret (CLOUDPILOT_SLACK__SIGNING_SECRET)")
    if mode == "socket" and not _secret(slack.app_token):
        missing.append("slack.app_token (CLOUDPILOT_SLACK__APP_TOKEN, xapp-…, for Socket Mode)")
    if missing:
        raise SlackConfigError("Slack is not configured: set " + "; ".join(missing) + ". See docs/SLACK.md.")


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


@dataclass
class SlackApp:
    app: App
    frontend: SlackFrontend
    client: WebClient
    keys: KeyStore
    work: WorkQueue
    signing_secret: str

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Waits until the work queued by acknowledged requests is done (tests, shutdown)."""
        return self.work.wait_idle(timeout)

    def close(self) -> None:
        self.work.shutdown()
        self.keys.close()


def build_slack_app(
    settings: Settings,
    agent: Agent,
    *,
    mode: str | None = None,
    workers: int = 4,
    namespace: str | None = None,
    now: Callable[[], float] = time.time,
    group_ttl_s: float = 300.0,
) -> SlackApp:
    """`namespace` prefixes every Redis key (default "cloudpilot:slack"); tests pass a random one."""
    mode = mode or settings.slack.mode
    check_settings(settings, mode)
    slack = settings.slack
    client = WebClient(
        token=_secret(slack.bot_token),
        base_url=slack.api_url,
        timeout=15,
        retry_handlers=[ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    keys = open_keystore(settings.redis_url, namespace or "cloudpilot:slack")
    work = WorkQueue(workers)
    frontend = SlackFrontend(
        agent,
        client,
        keys,
        RateLimiter(keys, slack.rate_limit_per_minute, now),
        GroupResolver(client, ttl_s=group_ttl_s),
        work,
    )
    signing_secret = _secret(slack.signing_secret)
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
    register_listeners(app, frontend)

    def on_error(error: Exception, body: dict[str, Any]) -> None:
        ref = error_ref()
        log.error("slack listener failed (ref %s) on a %s request", ref, body.get("type"), exc_info=error)

    app.error(on_error)
    return SlackApp(app, frontend, client, keys, work, signing_secret)
