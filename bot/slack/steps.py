"""Slack's side of a job's idempotency record (`bot/chat/record.py`): posting once.

A post is recorded as an intent before `chat.postMessage` and with its ts after; the message
carries the key in its `metadata`, so an intent without a ts (killed between the call and the
record) is looked up with `conversations.replies` / `conversations.history` and not posted again.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.chat.record import JobRecord
from bot.serve.ledger import Ledger

METADATA_TYPE = "cloudpilot_post"


class Steps(JobRecord):
    """One job's idempotency record (`bot/chat/record.py`), with Slack's way of posting once."""

    def __init__(self, ledger: Ledger, key: str | None, client: WebClient) -> None:
        super().__init__(ledger, key)
        self.client = client

    def post(self, step: str, channel: str, thread_ts: str | None, **kwargs: Any) -> str:
        """chat.postMessage once; returns the message's ts (the earlier one on a rerun)."""

        def send(marker: str | None) -> str:
            if marker is not None:
                kwargs["metadata"] = {"event_type": METADATA_TYPE, "event_payload": {"key": marker}}
            return str(self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **kwargs)["ts"])

        return self.posted(step, send, lambda marker: self._find(channel, thread_ts, marker))

    def _find(self, channel: str, thread_ts: str | None, marker: str) -> str | None:
        """The ts of the bot's message carrying `marker` in its metadata, if it was posted."""
        if thread_ts:
            found = self.client.conversations_replies(
                channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
            )
        else:
            found = self.client.conversations_history(channel=channel, include_all_metadata=True, limit=100)
        for message in found.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == marker:
                return str(message["ts"])
        return None
