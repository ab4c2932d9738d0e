"""The Teams jobs a `cloudpilot serve worker` runs: answers, card actions and notices deferred by
`cloudpilot serve teams` fronts through the durable queue (one lane per conversation)."""

from __future__ import annotations

import logging
from typing import Any

import procrastinate

from bot.chat.keystore import open_keystore
from bot.serve.logs import bound
from bot.serve.queue import QUEUE, WorkerContext
from bot.teams.jobs import DEFAULT_NAMESPACE, TASK, decode

log = logging.getLogger("cloudpilot.teams")


def provider(namespace: str = DEFAULT_NAMESPACE) -> Any:
    def provide(app: procrastinate.App, ctx: WorkerContext) -> None:
        settings = ctx.settings
        if not settings.teams.configured:
            log.info("teams.app_id / app_password are not set: this worker takes no Teams jobs")
            return
        # Imported only where Teams is configured: the SDK's models take a second to load.
        from bot.teams.app import new_responder
        from bot.teams.gate import click_key

        keys = open_keystore(settings.redis_url, namespace)
        ctx.closers.append(keys.close)

        def release(approval_id: str, user: str) -> None:
            keys.release(click_key(approval_id, user))

        responder = new_responder(settings, ctx.agent, release, ledger=ctx.ledger)
        ctx.closers.append(responder.connector.close)

        @app.task(name=TASK, queue=QUEUE, retry=ctx.retry, pass_context=True)
        def teams_job(context: procrastinate.JobContext, job: dict[str, Any], rid: str | None = None) -> None:
            with bound(request=rid):
                responder.run(decode(job), final=ctx.is_final(context), queued=True)

    return provide
