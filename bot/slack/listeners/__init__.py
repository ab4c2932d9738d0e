"""Bolt listeners, one module per kind, each with `register(app, gate)`."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.gate import SlackGate
from bot.slack.listeners import actions, commands, events


def register_listeners(app: App, gate: SlackGate) -> None:
    commands.register(app, gate)
    actions.register(app, gate)
    events.register(app, gate)  # last: it ends with a catch-all for other event types
