"""Approve / Reject buttons on approval requests."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.slack.approval_blocks import ACTION_PATTERN
from bot.slack.frontend import SlackFrontend


def register(app: App, frontend: SlackFrontend) -> None:
    def on_click(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        frontend.on_action(body, action)

    app.action(ACTION_PATTERN)(on_click)
