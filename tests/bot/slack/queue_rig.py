"""The durable queue in the Slack tests: Slack's settings over a PostgreSQL schema of its own per
test, Redis under a random namespace, and a worker on a thread with Slack's tasks. The schema
(`tests/services.py`) and the worker loop (`tests/bot/chat/queue_rig.py`) are the shared ones,
re-exported here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.turn import Agent
from bot.slack.tasks import provider
from config import Settings
from tests.bot.chat.queue_rig import QueueWorker
from tests.bot.slack.conftest import make_settings
from tests.bot.slack.fake_slack import FakeSlack
from tests.services import pg_schema

__all__ = ["ThreadWorker", "pg_schema", "queue_settings"]


def queue_settings(tmp_path: Path, fake: FakeSlack, database_url: str, **approvals: Any) -> Settings:
    base = make_settings(tmp_path, fake, "redis")
    updates: dict[str, Any] = {"database_url": database_url}
    if approvals:
        updates["approvals"] = base.approvals.model_copy(update=approvals)
    return base.model_copy(update=updates)


class ThreadWorker(QueueWorker):
    """`cloudpilot serve worker`'s loop on a thread of the test process, with Slack's tasks."""

    def __init__(
        self, settings: Settings, agent: Agent, namespace: str, *, max_attempts: int = 5, backoff_s: int = 0
    ) -> None:
        providers = [provider(namespace)]
        super().__init__(settings, agent, providers, max_attempts=max_attempts, backoff_s=backoff_s)

    def start(self) -> ThreadWorker:
        super().start()
        return self
