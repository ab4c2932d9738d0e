"""Alerts and digests on the durable queue: the periodic jobs that `cloudpilot serve worker` runs.

Every worker knows the job; procrastinate defers each minute's run once across all of them (its
periodic defers are unique per slot), and the job then evaluates the alerts whose schedule slot
is due, each slot claimed once in SQL as digests are (`AlertRunner.run_due`). Every occurrence is
claimed before it is sent (`AlertLog`), under the job's id: a job run again after its worker was
killed takes back what it had claimed and sends what it had not sent, while another run of the
same slot sends nothing twice.

Where an alert goes: a signed webhook (`bot/digests/webhook.py`), and/or a chat channel through
the `Poster` of the platform the composition root (`bot/main.py`) passes in (Slack's, and the
Teams channels `teams.channels` maps). The single-machine default (no PostgreSQL, no queue)
keeps evaluating alerts in `serve digests`.

Digests (`digest_provider`) run the same way: a periodic job each minute, each digest slot
claimed once in the database (`DigestRunner.run_due`), posted through the poster of the platform
the digest names (`bot/digests/sources.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext

import procrastinate

from agent.api import agent_now
from agent.turn import Agent
from bot.digests.alerts import AlertOutcome, AlertRunner
from bot.digests.sources import DigestConfigError, PosterSource, digest_runner
from bot.serve.queue import QUEUE, TaskProvider, WorkerContext
from config.settings import Settings

log = logging.getLogger("cloudpilot.alerts")

TASK = "cloudpilot.alerts"
PERIODIC_ID = "cloudpilot-alerts"
DIGEST_TASK = "cloudpilot.digests"
DIGEST_PERIODIC_ID = "cloudpilot-digests"
# Once a minute: the finest cron slot; a run with nothing due reads the schedules and stops.
EVERY_MINUTE = "* * * * *"

# Builds the runner with the chat platform's Poster (None: webhooks only), for the worker's life.
RunnerSource = Callable[[Settings, Agent], AbstractContextManager[AlertRunner]]


def webhooks_only(settings: Settings, agent: Agent) -> AbstractContextManager[AlertRunner]:
    """A runner without a chat poster: alerts with a channel report that they cannot post."""
    return nullcontext(AlertRunner(settings, agent, None))


def run_slot(runner: AlertRunner, agent: Agent, job_id: int | None, attempts: int) -> list[AlertOutcome]:
    """One periodic run: the due alerts, claimed under the job's id; a retried job (`attempts` > 0)
    evaluates its slot again even though its first attempt claimed it."""
    owner = f"job:{job_id}" if job_id is not None else None
    outcomes = runner.run_due(agent_now(agent), owner=owner, rerun=attempts > 0)
    for outcome in outcomes:
        log.info("%s", outcome)
    return outcomes


def provider(runners: RunnerSource = webhooks_only) -> TaskProvider:
    """The alerts' periodic job for `serve worker`; nothing is registered without `[[alerts]]`."""

    def provide(app: procrastinate.App, ctx: WorkerContext) -> None:
        if not ctx.settings.alerts:
            return
        stack = ExitStack()
        runner = stack.enter_context(runners(ctx.settings, ctx.agent))
        ctx.closers.append(stack.close)

        @app.periodic(cron=EVERY_MINUTE, periodic_id=PERIODIC_ID)
        @app.task(name=TASK, queue=QUEUE, pass_context=True)
        def alerts(context: procrastinate.JobContext, timestamp: int) -> None:
            run_slot(runner, ctx.agent, context.job.id, context.job.attempts)

    return provide


def digest_provider(sources: Sequence[PosterSource]) -> TaskProvider:
    """The digests' periodic job for `serve worker`: nothing is registered without `[[digests]]`,
    nor (with a warning) when a digest's platform is not configured on the worker."""

    def provide(app: procrastinate.App, ctx: WorkerContext) -> None:
        if not ctx.settings.digests:
            return
        settings = ctx.settings.model_copy(update={"alerts": []})  # alerts have their own job
        stack = ExitStack()
        try:
            runner = stack.enter_context(digest_runner(settings, ctx.agent, sources))
        except DigestConfigError as exc:
            stack.close()
            log.warning("this worker posts no digests: %s", exc)
            return
        ctx.closers.append(stack.close)

        @app.periodic(cron=EVERY_MINUTE, periodic_id=DIGEST_PERIODIC_ID)
        @app.task(name=DIGEST_TASK, queue=QUEUE, pass_context=False)
        def digests(timestamp: int) -> None:
            for outcome in runner.run_due(agent_now(ctx.agent)):
                log.info("digest %s (%s): %s", outcome.name, outcome.slot, outcome.detail)

    return provide
