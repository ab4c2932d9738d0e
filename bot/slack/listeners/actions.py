"""Approve / Reject buttons on approval requests, and suggestion buttons on unclear answers."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.slack.approval_blocks import ACTION_PATTERN
from bot.slack.gate import SlackGate
from bot.slack.render import SUGGESTION_PATTERN


def register(app: App, gate: SlackGate) -> None:
    def on_click(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        gate.on_action(body, action)

    def on_suggestion(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        gate.on_suggestion(body, action)

    app.action(ACTION_PATTERN)(on_click)
    app.action(SUGGESTION_PATTERN)(on_suggestion)
