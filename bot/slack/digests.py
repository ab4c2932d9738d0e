"""Digests posted to Slack: the runner's poster, built from the same client and rendering as
answers to messages. The bot follows each digest's thread, so a reply there ("fix it", "and
last month?") is answered in the digest's conversation by `cloudpilot serve slack`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from slack_sdk import WebClient

from agent.api import DigestRuns
from agent.messages import Reply
from agent.turn import Agent
from bot.digests.alerts import AlertRunner
from bot.digests.runner import DigestRunner
from bot.slack.client import make_client, secret
from bot.slack.gate import THREAD_TTL_S, thread_key
from bot.slack.groups import GroupResolver
from bot.slack.keystore import open_keystore
from bot.slack.responder import SlackResponder
from config import Settings


class SlackPoster:
    def __init__(self, client: WebClient, responder: SlackResponder) -> None:
        self.client = client
        self.responder = responder

    def post_text(self, channel: str, text: str, thread: str | None = None) -> str:
        posted = self.client.chat_postMessage(channel=channel, thread_ts=thread, text=text)
        ts = str(posted["ts"])
        if thread is None:
            self.responder.follow(channel, ts)
        return ts

    def post_reply(self, reply: Reply, channel: str, thread: str) -> None:
        self.responder.deliver(reply, channel, thread)


class DigestConfigError(ValueError):
    pass


@contextmanager
def slack_poster(settings: Settings, agent: Agent, namespace: str | None = None) -> Iterator[SlackPoster]:
    """Posts to Slack channels and follows each new thread, so replies there are answered by
    `cloudpilot serve slack`; `namespace` is the Slack app's Redis key prefix (tests vary it)."""
    client = make_client(settings)
    keys = open_keystore(settings.redis_url, namespace or "cloudpilot:slack")
    try:

        def follow(channel: str, ts: str) -> None:
            keys.claim(thread_key(channel, ts), THREAD_TTL_S)

        responder = SlackResponder(agent, client, GroupResolver(client), follow)
        yield SlackPoster(client, responder)
    finally:
        keys.close()


@contextmanager
def slack_digests(settings: Settings, agent: Agent, namespace: str | None = None) -> Iterator[DigestRunner]:
    """A runner posting to Slack, with the alerts (settings: [[alerts]]) in the same loop."""
    if not secret(settings.slack.bot_token):
        raise DigestConfigError("Digests post to Slack: set slack.bot_token (CLOUDPILOT_SLACK__BOT_TOKEN).")
    if not settings.digests and not settings.alerts:
        raise DigestConfigError(
            "No digests or alerts configured: add [[digests]] or [[alerts]] entries to the settings (README)."
        )
    with slack_poster(settings, agent, namespace) as poster:
        runner = DigestRunner(settings, agent, poster, DigestRuns(agent.rt.store))
        if settings.alerts:
            runner.also.append(AlertRunner(settings, agent, poster))
        yield runner


@contextmanager
def slack_alerts(settings: Settings, agent: Agent, namespace: str | None = None) -> Iterator[AlertRunner]:
    """An alert runner; it posts to Slack when a bot token is set (webhook-only alerts need none)."""
    if not settings.alerts:
        raise DigestConfigError("No alerts configured: add [[alerts]] entries to the settings (README).")
    if not secret(settings.slack.bot_token):
        yield AlertRunner(settings, agent, None)
        return
    with slack_poster(settings, agent, namespace) as poster:
        yield AlertRunner(settings, agent, poster)
