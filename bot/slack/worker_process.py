"""Slack's jobs in the shared worker process (`bot/chat/worker_process.py`): the single-machine
default of `serve slack`, so that agent turns never slow the acks down.

The child builds a `SlackResponder` (`slack_handler`); the threads it joins and the clicks that
decided nothing come back to the serving process (`on_follow`, `on_release`), whose key store
(maybe in its memory) records them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.chat.worker_process import (
    DEFAULT_RUNTIME,
    Notify,
    RuntimeFactory,
    WorkerFailed,
    default_runtime,
    load_factory,
)
from bot.chat.worker_process import ProcessSink as _ProcessSink
from config import Settings

if TYPE_CHECKING:
    from agent.turn import Agent
    from bot.slack.jobs import Job

__all__ = [
    "DEFAULT_RUNTIME",
    "HANDLER",
    "ProcessSink",
    "RuntimeFactory",
    "WorkerFailed",
    "default_runtime",
    "load_factory",
    "slack_handler",
]

HANDLER = "bot.slack.worker_process:slack_handler"


def slack_handler(settings: Settings, agent: Agent, notify: Notify) -> Callable[[Job], None]:
    """The child's job runner: a responder on its own Web API client."""
    from bot.slack.client import make_client
    from bot.slack.groups import GroupResolver
    from bot.slack.responder import SlackResponder

    client = make_client(settings)
    responder = SlackResponder(
        agent,
        client,
        GroupResolver(client),
        lambda channel, ts: notify("follow", channel, ts),
        # The key store is the parent's (maybe in its memory), so the parent releases the claim.
        lambda approval_id, user: notify("release", approval_id, user),
    )

    def run(job: Job) -> None:
        responder.run(job)

    return run


class ProcessSink(_ProcessSink[Any]):
    def __init__(
        self,
        settings: Settings,
        on_follow: Callable[[str, str], None],
        *,
        workers: int = 4,
        runtime_factory: str = DEFAULT_RUNTIME,
        nice: int = 10,
        start_timeout_s: float = 180.0,
        on_release: Callable[[str, str], None] | None = None,
    ) -> None:
        notify: dict[str, Callable[..., None]] = {"follow": on_follow}
        if on_release is not None:
            notify["release"] = on_release
        super().__init__(
            settings,
            handler=HANDLER,
            workers=workers,
            runtime_factory=runtime_factory,
            nice=nice,
            start_timeout_s=start_timeout_s,
            on_notify=notify,
            label="Slack",
        )
