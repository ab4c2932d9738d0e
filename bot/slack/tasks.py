"""The Slack jobs a `cloudpilot serve worker` runs: answers, commands, clicks and notices deferred
by `serve slack` front-ends. (Scheduled digests are the platform-neutral periodic job of
`bot/digests/tasks.py`.)"""

from __future__ import annotations

import logging
from typing import Any

import procrastinate

from bot.serve.logs import bound
from bot.serve.queue import QUEUE, WorkerContext
from bot.slack.client import make_client, secret
from bot.slack.gate import THREAD_TTL_S, click_key, thread_key
from bot.slack.groups import GroupResolver
from bot.slack.jobs import decode
from bot.slack.keystore import open_keystore
from bot.slack.responder import SlackResponder

log = logging.getLogger("cloudpilot.slack")

TASK = "cloudpilot.slack.job"
DEFAULT_NAMESPACE = "cloudpilot:slack"


def provider(namespace: str = DEFAULT_NAMESPACE) -> Any:
    def provide(app: procrastinate.App, ctx: WorkerContext) -> None:
        settings = ctx.settings
        if not secret(settings.slack.bot_token):
            log.warning("slack.bot_token is not set: this worker takes no Slack jobs")
            return
        client = make_client(settings)
        keys = open_keystore(settings.redis_url, namespace)
        ctx.closers.append(keys.close)

        def follow(channel: str, ts: str) -> None:
            keys.claim(thread_key(channel, ts), THREAD_TTL_S)

        def release(approval_id: str, user: str) -> None:
            keys.release(click_key(approval_id, user))

        responder = SlackResponder(ctx.agent, client, GroupResolver(client), follow, release, ctx.ledger)

        @app.task(name=TASK, queue=QUEUE, retry=ctx.retry, pass_context=True)
        def slack_job(context: procrastinate.JobContext, job: dict[str, Any], rid: str | None = None) -> None:
            with bound(request=rid):
                responder.run(decode(job), final=ctx.is_final(context), queued=True)

    return provide
