"""Digests and alerts posted to Slack: the runner's poster, built from the same client and
rendering as answers to messages. The bot follows each digest's thread, so a reply there ("fix
it", "and last month?") is answered in the digest's conversation by `cloudpilot serve slack`.

`slack_poster` is Slack's entry in the platform-neutral digest commands and periodic job
(`bot/digests/`), which the composition root (`bot/main.py`) wires."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from slack_sdk import WebClient

from agent.messages import Reply
from agent.turn import Agent
from bot.chat.conversation import ConversationRef
from bot.digests.alerts import AlertRunner
from bot.digests.runner import DigestRunner
from bot.digests.sources import DigestConfigError, PosterSource, digest_runner
from bot.slack.backend import where
from bot.slack.client import make_client, secret
from bot.slack.gate import THREAD_TTL_S, thread_key
from bot.slack.groups import GroupResolver
from bot.slack.keystore import DEFAULT_NAMESPACE, open_keystore
from bot.slack.responder import SlackResponder
from config import Settings

__all__ = ["DigestConfigError", "SlackPoster", "slack_alerts", "slack_digests", "slack_poster", "source"]

NO_TOKEN = "Digests post to Slack: set slack.bot_token (CLOUDPILOT_SLACK__BOT_TOKEN)."


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

    def conversation(self, channel: str, thread: str) -> ConversationRef:
        return where(channel, thread)


@contextmanager
def slack_poster(settings: Settings, agent: Agent, namespace: str | None = None) -> Iterator[SlackPoster]:
    """Posts to Slack channels and follows each new thread, so replies there are answered by
    `cloudpilot serve slack`; `namespace` is the Slack app's Redis key prefix (tests vary it)."""
    client = make_client(settings)
    keys = open_keystore(settings.redis_url, namespace or DEFAULT_NAMESPACE)
    try:

        def follow(channel: str, ts: str) -> None:
            keys.claim(thread_key(channel, ts), THREAD_TTL_S)

        responder = SlackResponder(agent, client, GroupResolver(client), follow)
        yield SlackPoster(client, responder)
    finally:
        keys.close()


def slack_ready(settings: Settings) -> bool:
    return bool(secret(settings.slack.bot_token))


def source(namespace: str | None = None) -> PosterSource:
    """Slack as a platform digests can name (`platform = "slack"`, the default)."""
    return PosterSource(
        "slack",
        slack_ready,
        "set slack.bot_token (CLOUDPILOT_SLACK__BOT_TOKEN)",
        lambda settings, agent: slack_poster(settings, agent, namespace),
    )


@contextmanager
def slack_digests(settings: Settings, agent: Agent, namespace: str | None = None) -> Iterator[DigestRunner]:
    """A runner posting to Slack only, with the alerts (settings: [[alerts]]) in the same loop."""
    if not slack_ready(settings):
        raise DigestConfigError(NO_TOKEN)

    def alerts(settings: Settings, agent: Agent) -> AbstractContextManager[AlertRunner]:
        return slack_alerts(settings, agent, namespace)

    with digest_runner(settings, agent, [source(namespace)], alerts) as runner:
        yield runner


@contextmanager
def slack_alerts(settings: Settings, agent: Agent, namespace: str | None = None) -> Iterator[AlertRunner]:
    """An alert runner; it posts to Slack when a bot token is set (webhook-only alerts need none)."""
    if not settings.alerts:
        raise DigestConfigError("No alerts configured: add [[alerts]] entries to the settings (README).")
    if not slack_ready(settings):
        yield AlertRunner(settings, agent, None)
        return
    with slack_poster(settings, agent, namespace) as poster:
        yield AlertRunner(settings, agent, poster)
