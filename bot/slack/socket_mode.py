"""Socket Mode: the app opens a WebSocket to Slack, so no public URL is needed."""

from __future__ import annotations

from slack_bolt import App


def run_socket_mode(app: App, app_token: str) -> None:
    """Blocks until interrupted. Uses slack_sdk's built-in WebSocket client (no extra package)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()  # type: ignore[no-untyped-call]
