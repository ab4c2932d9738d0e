"""Digests and alerts in Teams channels: the digest runner's `Poster` over the Bot Connector.

`[[digests]]` and `[[alerts]]` name a channel (a Slack id, or any name); `teams.channels` maps
it to a Teams channel's conversation id (`19:…@thread.tacv2`). A digest or alert run starts a
new post in that channel (a thread) and answers in the thread, as Adaptive Cards, posted
proactively with `teams.service_url`.

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
from bot.digests.alerts import AlertRunner
from bot.digests.runner import Poster
from bot.teams import cards
from bot.teams.activity import THREAD_MARK
from bot.teams.connector import BotConnector
from config import Settings
from config.teams import TeamsSettings

log = logging.getLogger("cloudpilot.teams")


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
        if target is None:
            raise NotMapped(f"no Teams channel for {channel!r}: add it to teams.channels")
        return target

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
