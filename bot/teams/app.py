"""Builds the Teams front-end: token validator, key store, job sink, gate and the endpoint.

Where the work after each ack runs (the durable queue, threads here, a worker process) is the
shared choice of `bot/chat/front.py`, as for Slack; the queue's task is `bot/teams/tasks.py`'s.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.routing import BaseRoute

from agent.turn import Agent
from bot.chat.dedup import PENDING_TTL_S, Admission
from bot.chat.front import Front, closed_on_failure, open_work, queue_for, require
from bot.chat.keystore import KeyStore, open_keystore
from bot.chat.limits import RateLimiter
from bot.chat.work import JobSink
from bot.core.reconcile_loop import ReconcileLoop
from bot.serve.queue import QueueClient
from bot.teams.auth import TokenValidator
from bot.teams.connector import BotConnector
from bot.teams.endpoint import TeamsEndpoint
from bot.teams.gate import TeamsGate, click_key
from bot.teams.groups import GroupResolver
from bot.teams.jobs import DEFAULT_NAMESPACE, TASK, Job, encode
from bot.teams.responder import TeamsResponder
from config import Settings

log = logging.getLogger("cloudpilot.teams")

HANDLER = "bot.teams.worker:handler"


class TeamsConfigError(ValueError):
    """The settings cannot run the Teams bot; the message says which setting to fix."""


def check_settings(settings: Settings) -> None:
    teams = settings.teams
    checks = [
        (bool(teams.app_id), "teams.app_id (CLOUDPILOT_TEAMS__APP_ID, the bot's Entra application id)"),
        (
            bool(teams.app_password and teams.app_password.get_secret_value()),
            "teams.app_password (CLOUDPILOT_TEAMS__APP_PASSWORD, a client secret)",
        ),
    ]
    require(checks, "Teams", "docs/TEAMS.md", TeamsConfigError)


@dataclass
class TeamsApp(Front):
    endpoint: TeamsEndpoint
    gate: TeamsGate
    keys: KeyStore
    sink: JobSink[Job]
    validator: TokenValidator
    settings: Settings
    reconciler: ReconcileLoop | None = None
    queue: QueueClient | None = None
    connector: BotConnector | None = None  # the in-process responder's

    def routes(self) -> list[BaseRoute]:
        return self.endpoint.routes()

    def closers(self) -> list[Callable[[], None]]:
        return [self.validator.close] + ([self.connector.close] if self.connector is not None else [])


def build_teams_app(
    settings: Settings,
    agent: Agent | None = None,
    *,
    queue: bool | None = None,
    runtime_factory: str | None = None,
    namespace: str | None = None,
    workers: int = 4,
    now: Callable[[], float] = time.time,
    claim_pending_s: int = PENDING_TTL_S,
    http: httpx.Client | None = None,
) -> TeamsApp:
    """`namespace` prefixes every Redis key (default "cloudpilot:teams"); tests pass their own."""
    check_settings(settings)
    url = queue_for(settings, agent, queue, TeamsConfigError)
    keys = open_keystore(settings.redis_url, namespace or DEFAULT_NAMESPACE)
    validator = TokenValidator(settings.teams, http)
    connector: BotConnector | None = None

    def release(approval_id: str, user: str) -> None:
        keys.release(click_key(approval_id, user))

    def in_threads(agent: Agent) -> Callable[[Job], None]:
        nonlocal connector
        connector = BotConnector(settings.teams, http)
        groups = GroupResolver(settings.teams, connector)
        return TeamsResponder(agent, connector, settings.teams, groups, release=release).run

    def in_child() -> JobSink[Job]:
        from bot.chat.worker_process import DEFAULT_RUNTIME, ProcessSink

        return ProcessSink(
            settings,
            handler=HANDLER,
            workers=workers,
            runtime_factory=runtime_factory or DEFAULT_RUNTIME,
            on_notify={"release": release},
            label="Teams",
        )

    def close_connector() -> None:
        if connector is not None:
            connector.close()

    with closed_on_failure(validator.close, keys.close, close_connector) as opened:
        work = open_work(settings, agent, url, TASK, encode, in_threads, in_child, workers)
        opened.append(work.close)
        limiter = RateLimiter(keys, settings.teams.rate_limit_per_minute, now)
        admission: Admission[Job] = Admission(keys, limiter, work.sink, pending_ttl_s=claim_pending_s)
        gate = TeamsGate(admission, settings.teams.card_key())
        endpoint = TeamsEndpoint(validator, gate)
    return TeamsApp(
        endpoint, gate, keys, work.sink, validator, settings, work.reconciler, work.queue, connector
    )


def new_responder(
    settings: Settings, agent: Agent, release: Callable[[str, str], None] | None, **kwargs: Any
) -> TeamsResponder:
    connector = BotConnector(settings.teams)
    return TeamsResponder(
        agent, connector, settings.teams, GroupResolver(settings.teams, connector), release=release, **kwargs
    )
