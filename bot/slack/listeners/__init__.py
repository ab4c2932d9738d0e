"""Bolt listeners, one module per kind, each with `register(app, frontend)`."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.frontend import SlackFrontend
from bot.slack.listeners import actions, commands, events


def register_listeners(app: App, frontend: SlackFrontend) -> None:
    commands.register(app, frontend)
    actions.register(app, frontend)
    events.register(app, frontend)  # last: it ends with a catch-all for other event types
