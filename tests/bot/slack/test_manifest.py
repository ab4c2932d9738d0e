"""The app manifest at the repository root matches what the code listens to and calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.slack.http import EVENTS_PATH
from bot.slack.listeners.commands import COMMAND

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yaml"


def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    return data


def test_manifest_routes_everything_to_the_one_endpoint() -> None:
    m = _manifest()
    (command,) = m["features"]["slash_commands"]
    assert command["command"] == COMMAND
    urls = [
        command["url"],
        m["settings"]["event_subscriptions"]["request_url"],
        m["settings"]["interactivity"]["request_url"],
    ]
    assert all(u.startswith("https://") and u.endswith(EVENTS_PATH) for u in urls)
    assert m["settings"]["interactivity"]["is_enabled"] is True


def test_manifest_has_the_scopes_and_events_the_app_uses() -> None:
    m = _manifest()
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    assert {
        "app_mentions:read",
        "chat:write",
        "commands",
        "files:write",
        "usergroups:read",
        "im:history",
        "channels:history",
    } <= scopes
    events = set(m["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "message.channels"} <= events
    # Each message.* event needs its history scope.
    for kind in ("channels", "groups", "im", "mpim"):
        assert (f"message.{kind}" in events) == (f"{kind}:history" in scopes)
    assert m["features"]["app_home"]["messages_tab_enabled"] is True
