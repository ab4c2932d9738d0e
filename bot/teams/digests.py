"""Digests and alerts in Teams channels: the digest runner's `Poster` over the Bot Connector.

`[[digests]]` and `[[alerts]]` name a channel (a Slack id, or any name); `teams.channels` maps
it to a Teams channel's conversation id (`19:…@thread.tacv2`), and a Teams digest
(`platform = "teams"`) may name that id itself. A digest or alert run starts a new post in that
channel (a thread) and answers in the thread, as Adaptive Cards, posted proactively with
`teams.service_url`. The digest's questions are asked in that thread's conversation
(`ConversationRef("teams", channel, root post, teams.tenant_id)`), the one a reply that
@mentions the bot there lands in, so the follow-up continues the digest's conversation.

`FanOutPoster` posts to several platforms at once (Slack and Teams): the thread it returns names
each platform's thread, so the answers of one run land in every one of them. `with_teams` wraps
the alert runner the composition root gives `cloudpilot serve worker`, so alerts reach the mapped
Teams channels too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from agent.messages import Reply
from agent.turn import Agent
from bot.chat.conversation import ConversationRef
from bot.digests.alerts import AlertRunner
from bot.digests.runner import Poster
from bot.digests.sources import PosterSource
from bot.teams import cards
from bot.teams.activity import PLATFORM, THREAD_MARK
from bot.teams.connector import BotConnector
from config import Settings
from config.teams import TeamsSettings

log = logging.getLogger("cloudpilot.teams")


TEAMS_CHANNEL_PREFIX = "19:"  # Teams' channel conversation ids (19:…@thread.tacv2)


class NotMapped(LookupError):
    pass


class TeamsPoster:
    def __init__(self, settings: TeamsSettings, connector: BotConnector) -> None:
        self.settings = settings
        self.connector = connector

    def maps(self, channel: str) -> bool:
        return channel in self.settings.channels

    def _channel(self, channel: str) -> str:
        target = self.settings.channels.get(channel)
        if target is None and channel.startswith(TEAMS_CHANNEL_PREFIX):
            return channel  # a Teams channel id itself
        if target is None:
            raise NotMapped(f"no Teams channel for {channel!r}: add it to teams.channels")
        return target

    def conversation(self, channel: str, thread: str) -> ConversationRef:
        return ConversationRef(PLATFORM, self._channel(channel), thread, self.settings.tenant_id)

    def post_text(self, channel: str, text: str, thread: str | None = None) -> str:
        target = self._channel(channel)
        conversation = f"{target}{THREAD_MARK}{thread}" if thread else target
        activity = cards.message_activity(cards.notice_card(_plain(text)), _plain(text))
        return self.connector.send(self.settings.service_url, conversation, activity)

    def post_reply(self, reply: Reply, channel: str, thread: str) -> None:
        conversation = f"{self._channel(channel)}{THREAD_MARK}{thread}"
        for card in cards.render_reply(reply.model_copy(update={"approval": None, "suggestions": []})):
            self.connector.send(
                self.settings.service_url, conversation, cards.message_activity(card, reply.text)
            )


def _plain(text: str) -> str:
    """Digest headers are written in Slack's mrkdwn (`*bold*`, `_italic_`); cards read Markdown."""
    if text.startswith("*") and text.count("*") >= 2:
        text = "**" + text[1:].replace("*", "**", 1)
    return text


class FanOutPoster:
    """Posts to every poster that takes the channel; the thread is a JSON list of their threads."""

    def __init__(self, posters: list[Poster], accepts: list[Callable[[str], bool]]) -> None:
        self.posters = posters
        self.accepts = accepts

    def post_text(self, channel: str, text: str, thread: str | None = None) -> str:
        threads = json.loads(thread) if thread else [None] * len(self.posters)
        out: list[str | None] = []
        failures: list[Exception] = []
        for poster, accepts, own in zip(self.posters, self.accepts, threads, strict=True):
            if not accepts(channel) or (thread and own is None):
                out.append(None)
                continue
            try:
                out.append(poster.post_text(channel, text, own))
            except Exception as exc:  # one platform down must not silence the others
                log.warning("posting to %s failed on one platform: %s", channel, exc)
                failures.append(exc)
                out.append(None)
        if all(t is None for t in out) and failures:
            raise failures[0]
        return json.dumps(out)

    def conversation(self, channel: str, thread: str) -> ConversationRef:
        """The first platform's thread: one conversation for the agent (a reply in another
        platform's copy of the thread starts its own)."""
        for poster, own in zip(self.posters, json.loads(thread), strict=True):
            if own is not None:
                return poster.conversation(channel, own)
        raise NotMapped(f"no platform posted to {channel!r}")

    def post_reply(self, reply: Reply, channel: str, thread: str) -> None:
        for poster, own in zip(self.posters, json.loads(thread), strict=True):
            if own is not None:
                try:
                    poster.post_reply(reply, channel, own)
                except Exception:
                    log.warning("posting a reply to %s failed on one platform", channel, exc_info=True)


def teams_poster(settings: Settings) -> TeamsPoster | None:
    if not settings.teams.configured or not settings.teams.channels:
        return None
    return TeamsPoster(settings.teams, BotConnector(settings.teams))


@contextmanager
def open_poster(settings: Settings, _agent: Agent) -> Iterator[TeamsPoster]:
    poster = TeamsPoster(settings.teams, BotConnector(settings.teams))
    try:
        yield poster
    finally:
        poster.connector.close()


def source() -> PosterSource:
    """Teams as a platform digests can name (`platform = "teams"`)."""
    return PosterSource(
        PLATFORM,
        lambda settings: settings.teams.configured,
        "set teams.app_id and teams.app_password (docs/TEAMS.md)",
        open_poster,
    )


RunnerSource = Callable[[Settings, Agent], AbstractContextManager[AlertRunner]]


def with_teams(source: RunnerSource) -> RunnerSource:
    """The alert runner of `source`, posting to the mapped Teams channels as well."""

    @contextmanager
    def runners(settings: Settings, agent: Agent) -> Iterator[AlertRunner]:
        with source(settings, agent) as runner:
            teams = teams_poster(settings)
            if teams is not None:
                if runner.poster is None:
                    runner.poster = teams
                else:
                    runner.poster = FanOutPoster([runner.poster, teams], [lambda _c: True, teams.maps])
            try:
                yield runner
            finally:
                if teams is not None:
                    teams.connector.close()

    return runners
