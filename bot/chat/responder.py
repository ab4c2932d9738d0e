"""The skeleton of every platform's work after the ack, around what the platform does itself.

`run_job` is the frame a responder's `run` puts each job in: skip a job its record lists as done;
a failure is raised for a retry when not `final`, and on the final attempt reported to the user
once (an apology with a reference id; the details go to the log), then raised again when
`queued` so that the durable queue keeps the job as dead (`cloudpilot jobs retry` runs what is
left). `kept_reply` asks the agent once per job; `count_turn` records a turn's metrics;
`decided` tells a click that decided the request from one that did nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from pydantic import ValidationError

from agent.api import same_person
from agent.messages import Reply
from agent.runner import error_ref
from agent.turn import Agent
from bot.chat.record import DONE, JobRecord
from bot.serve.logs import bound
from config.metrics import JOB_SECONDS, JOBS, TURN_SECONDS, TURNS

Release = Callable[[str, str], None]  # (approval id, user): that click decided nothing, allow another


def run_job(
    record: JobRecord,
    kind: str,
    work: Callable[[], None],
    apologise: Callable[[str, Exception], None],
    *,
    final: bool,
    queued: bool,
    log: logging.Logger,
    label: str | None = None,
) -> None:
    """Runs `work` for the job under `record` (its key); `label` names the job in metrics (default
    its kind) and `log` is the platform's logger."""
    label = label or kind
    platform = log.name.rsplit(".", 1)[-1]
    started = time.perf_counter()
    with bound(turn=record.key or None):
        if record.value(DONE):
            JOBS.labels(label, "skipped").inc()
            log.info("%s %s job %s was done already", platform, kind, record.key)
            return
        try:
            work()
        except Exception as exc:
            error: Exception = exc
            if not final:
                JOBS.labels(label, "retry").inc()
                log.warning(
                    "%s %s job %s failed; it will be retried", platform, kind, record.key, exc_info=True
                )
                raise
            ref = error_ref()
            log.exception("%s %s job %s failed (ref %s)", platform, kind, record.key, ref)
            record.once("apology", lambda: apologise(ref, error))
            JOBS.labels(label, "failed").inc()
            if queued:
                raise  # dead: a retry runs what is left (the apology is not repeated)
        else:
            JOBS.labels(label, "ok").inc()
        finally:
            JOB_SECONDS.labels(label).observe(time.perf_counter() - started)
        record.mark(DONE)


def kept_reply(record: JobRecord, make: Callable[[], Reply], log: logging.Logger) -> Reply:
    """The agent's reply, asked once: a rerun of the job reuses the recorded one."""
    kept = record.value("reply")
    if kept:
        try:
            return Reply.model_validate_json(kept)
        except ValidationError:
            log.warning("job %s: its recorded reply does not read back; asking again", record.key)
    reply = make()
    try:
        data = reply.model_dump_json()
    except Exception:  # e.g. tool data that is not JSON: a rerun asks again
        log.warning("job %s: reply not recorded", record.key, exc_info=True)
    else:
        record.mark("reply", data)
    return reply


def count_turn(platform: str, started: float, reply: Reply) -> None:
    """A turn's duration (from `time.perf_counter()` at `started`) and its tools' outcome."""
    TURN_SECONDS.labels(platform).observe(time.perf_counter() - started)
    status = "ok" if reply.ok else "error"
    for tool in sorted({c.name for c in reply.tool_calls}) or ["none"]:
        TURNS.labels(tool, status).inc()


def decided(agent: Agent, reply: Reply, clicker: str) -> bool:
    """Whether `Agent.decide`'s reply means this click decided the request (or found it expired);
    else it was refused or someone else decided first, which only the clicker hears of.
    `decided_by` is a canonical identity, not the platform id the click came from."""
    view = reply.approval
    return (
        view is not None
        and view.status != "pending"
        and (view.status == "expired" or reply.ok or same_person(agent, view.decided_by or "", clicker))
    )


def release_click(release: Release | None, approval_id: str, user: str, log: logging.Logger) -> None:
    """A refused or failed click must not use up the person's click on this request."""
    if release is None:
        return
    try:
        release(approval_id, user)
    except Exception:
        log.exception("could not release the click of %s on %s", user, approval_id[:80])
