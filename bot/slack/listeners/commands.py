"""The /cloudpilot slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.slack.gate import SlackGate

COMMAND = "/cloudpilot"


def register(app: App, gate: SlackGate) -> None:
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        notice = gate.on_command(command)
        if notice:
            ack(text=notice)
        else:
            ack()

    app.command(COMMAND)(on_command)
