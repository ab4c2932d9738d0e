"""Builds the Teams front-end: token validator, key store, job sink, gate and the endpoint.

Where the work after each ack runs, as for Slack (docs/ARCHITECTURE.md §7):
- `queue=True` (the default when `database_url` is PostgreSQL and no agent is given): the durable
  queue; `cloudpilot serve worker` processes run the jobs (`bot/teams/tasks.py`);
- `agent=...`: threads of this process (tests, `--worker thread`);
- otherwise a niced child process that owns the agent (`bot/chat/worker_process.py`), the
  single-machine default.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from agent.turn import Agent
from bot.chat.dedup import PENDING_TTL_S, Admission
from bot.chat.keystore import KeyStore, open_keystore
from bot.chat.limits import RateLimiter
from bot.chat.work import JobSink, ThreadSink
from bot.core.reconcile_loop import ReconcileLoop
from bot.serve.checks import standard_checks
from bot.serve.queue import QueueClient, QueueSink, ensure_schema, queue_url
from bot.serve.server import ReadyCheck
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
    missing = []
    if not teams.app_id:
        missing.append("teams.app_id (CLOUDPILOT_TEAMS__APP_ID, the bot's Entra application id)")
    if not teams.app_password or not teams.app_password.get_secret_value():
        missing.append("teams.app_password (CLOUDPILOT_TEAMS__APP_PASSWORD, a client secret)")
    if missing:
        raise TeamsConfigError("Teams is not configured: set " + "; ".join(missing) + ". See docs/TEAMS.md.")


@dataclass
class TeamsApp:
    endpoint: TeamsEndpoint
    gate: TeamsGate
    keys: KeyStore
    sink: JobSink[Job]
    validator: TokenValidator
    settings: Settings
    reconciler: ReconcileLoop | None = None
    queue: QueueClient | None = None
    connector: BotConnector | None = None  # the in-process responder's

    def ready_checks(self) -> dict[str, ReadyCheck]:
        in_process = self.queue is None
        checks = standard_checks(self.settings, database=in_process, knowledge=in_process)
        if self.queue is not None:
            checks["queue"] = self.queue.ping
        return checks

    def scrape_hooks(self) -> list[Callable[[], None]]:
        return [self.queue.refresh_metrics] if self.queue is not None else []

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self.sink.wait_idle(timeout)

    def close(self) -> None:
        if self.reconciler is not None:
            self.reconciler.stop()
        self.sink.close()
        self.keys.close()
        self.validator.close()
        if self.connector is not None:
            self.connector.close()


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
    url = queue_url(settings.database_url)
    if queue is None:
        queue = agent is None and url is not None
    if queue and url is None:
        raise TeamsConfigError(
            "The durable queue needs database_url = postgresql://… (docs/ARCHITECTURE.md)."
        )
    keys = open_keystore(settings.redis_url, namespace or DEFAULT_NAMESPACE)
    validator = TokenValidator(settings.teams, http)

    def release(approval_id: str, user: str) -> None:
        keys.release(click_key(approval_id, user))

    sink: JobSink[Job]
    reconciler: ReconcileLoop | None = None
    queue_client: QueueClient | None = None
    connector: BotConnector | None = None
    try:
        if queue and url is not None:
            ensure_schema(url)
            queue_client = QueueClient(url)
            sink = QueueSink(queue_client, TASK, encode)
        elif agent is not None:
            connector = BotConnector(settings.teams, http)
            responder = TeamsResponder(
                agent, connector, settings.teams, GroupResolver(settings.teams, connector), release=release
            )
            sink = ThreadSink(responder.run, workers)
            reconciler = ReconcileLoop(agent, settings.approvals.reconcile_interval_s).start()
        else:
            from bot.chat.worker_process import DEFAULT_RUNTIME, ProcessSink

            sink = ProcessSink(
                settings,
                handler=HANDLER,
                workers=workers,
                runtime_factory=runtime_factory or DEFAULT_RUNTIME,
                on_notify={"release": release},
                label="Teams",
            )
        limiter = RateLimiter(keys, settings.teams.rate_limit_per_minute, now)
        admission: Admission[Job] = Admission(keys, limiter, sink, pending_ttl_s=claim_pending_s)
        gate = TeamsGate(admission, settings.teams.card_key())
        endpoint = TeamsEndpoint(validator, gate)
    except BaseException:
        if reconciler is not None:
            reconciler.stop()
        if "sink" in locals():
            sink.close()
        elif queue_client is not None:
            queue_client.close()
        keys.close()
        validator.close()
        raise
    return TeamsApp(endpoint, gate, keys, sink, validator, settings, reconciler, queue_client, connector)


def new_responder(
    settings: Settings, agent: Agent, release: Callable[[str, str], None] | None, **kwargs: Any
) -> TeamsResponder:
    connector = BotConnector(settings.teams)
    return TeamsResponder(
        agent, connector, settings.teams, GroupResolver(settings.teams, connector), release=release, **kwargs
    )
