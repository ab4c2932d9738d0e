"""The /cloudpilot slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.slack.frontend import SlackFrontend

COMMAND = "/cloudpilot"


def register(app: App, frontend: SlackFrontend) -> None:
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        notice = frontend.on_command(command)
        if notice:
            ack(text=notice)
        else:
            ack()

    app.command(COMMAND)(on_command)
