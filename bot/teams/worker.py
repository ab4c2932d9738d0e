"""The Teams job handler run in the single-machine worker process (`bot/chat/worker_process.py`)
and, through `bot/teams/tasks.py`, by `cloudpilot serve worker`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.turn import Agent
from bot.teams.app import new_responder
from bot.teams.jobs import Job
from config import Settings


def handler(settings: Settings, agent: Agent, notify: Callable[..., None]) -> Callable[[Any], None]:
    def release(approval_id: str, user: str) -> None:
        notify("release", approval_id, user)

    responder = new_responder(settings, agent, release)

    def run(job: Job) -> None:
        responder.run(job)

    return run
