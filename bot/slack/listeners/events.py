"""Events API: mentions in channels, direct messages, follow-ups in threads, the Home tab."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.gate import SlackGate

log = logging.getLogger("cloudpilot.slack")


def register(app: App, gate: SlackGate) -> None:
    def on_mention(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        gate.on_mention(body, event, context.bot_user_id)

    def on_message(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        gate.on_message(body, event, context.bot_user_id)

    def on_home(body: dict[str, Any], event: dict[str, Any]) -> None:
        gate.on_home(body, event)

    def on_other(event: dict[str, Any]) -> None:
        # Acknowledged so that Slack does not retry an event we have no use for.
        log.debug("ignoring %s event", event.get("type"))

    app.event("app_mention")(on_mention)
    app.event("message")(on_message)
    app.event("app_home_opened")(on_home)
    app.event(re.compile(".*"))(on_other)
