"""The Slack Web API client, built the same way in the serving and the worker process."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from config import Settings


def secret(value: object) -> str:
    get = getattr(value, "get_secret_value", None)
    return str(get()) if get is not None else ""


def make_client(settings: Settings) -> WebClient:
    """`settings.slack.api_url` is slack.com's API, or a fake one in tests and benchmarks."""
    return WebClient(
        token=secret(settings.slack.bot_token),
        base_url=settings.slack.api_url,
        timeout=15,
        retry_handlers=[ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=2)],
    )
