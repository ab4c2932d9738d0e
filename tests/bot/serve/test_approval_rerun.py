"""A `cloudpilot serve worker` SIGKILLed in the middle of a turn that plans a change, right after
the approval request was stored: the job is run again (the restarted worker finds it stalled) and
the rerun of the turn finds the request it made, so there is one pending request, one `request`
audit record and one approval card in the thread.

Real processes and a real queue: PostgreSQL for the queue, the job ledger, the approvals and the
checkpoints; Redis for the Slack app's keys; a fake Slack Web API on 127.0.0.1. The kill is the
`after_request` failpoint (config/failpoints.py), which is `kill -9` of the worker by itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.api import ApprovalStatus
from bot.serve.queue import QueueClient, ensure_schema, queue_url
from bot.slack.jobs import Answer, Incoming, encode
from bot.slack.responder import WORKING
from bot.slack.tasks import TASK
from store import Store
from store.approvals import ApprovalStore
from tests.bot.slack.conftest import fake_slack, namespace  # noqa: F401 - fixtures
from tests.bot.slack.fake_slack import FakeSlack
from tests.bot.slack.queue_rig import pg_schema
from tests.services import need, redis_url

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[3]


def _cards(fake: FakeSlack) -> list[str]:
    """The approval ids of the cards posted (messages with the approve/reject buttons)."""
    found = []
    for c in fake.of("chat.postMessage"):
        for block in c.args.get("blocks") or []:
            if block.get("type") == "actions":
                found.append(str(block["elements"][0]["value"]))
    return found


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.main",
            "serve",
            "worker",
            "--runtime-factory",
            "tests.bot.slack.doubles:durable_runtime",
            "--concurrency",
            "1",
            "--heartbeat-s",
            "1",
            "--stalled-after-s",
            "3",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=out,
    )


def test_a_worker_killed_after_storing_a_request_makes_it_once(
    tmp_path: Path,
    fake_slack: FakeSlack,  # noqa: F811
    namespace: str,  # noqa: F811
) -> None:
    need("redis")
    log = tmp_path / "worker.log"
    with pg_schema() as db:
        url = queue_url(db)
        assert url is not None
        ensure_schema(url)
        env = {
            **os.environ,
            "CLOUDPILOT_DATABASE_URL": db,
            "CLOUDPILOT_CHECKPOINT_URL": db,
            "CLOUDPILOT_REDIS_URL": redis_url(),
            "CLOUDPILOT_DATA_DIR": str(tmp_path / "data"),
            "CLOUDPILOT_NOW": "2024-10-15",
            "CLOUDPILOT_LOG_LEVEL": "WARNING",
            "CLOUDPILOT_SLACK__BOT_TOKEN": "xoxb-rerun",
            "CLOUDPILOT_SLACK__SIGNING_SECRET": "not-used-here",
            "CLOUDPILOT_SLACK__API_URL": fake_slack.api_url,
            # Dies right after the request and its record are committed, once (a marker file).
            "CLOUDPILOT_FAILPOINT": "after_request",
        }
        client = QueueClient(url, max_size=1)
        try:
            ts = "1700600000.000100"
            incoming = Incoming("UALICE", "C0RERUN", "change thing-9", ts, ts)
            client.defer(TASK, lock=incoming.lane, job=encode(Answer(incoming, key=f"msg:C0RERUN:{ts}")))
            first = _worker(env, log)
            try:
                assert first.wait(timeout=240) == -9, log.read_text(errors="replace")[-3000:]
            finally:
                if first.poll() is None:
                    first.kill()
            store = Store(db.replace("postgresql://", "postgresql+psycopg://", 1))
            try:
                approvals = ApprovalStore(store)
                [killed_with] = approvals.list()
                assert killed_with.status is ApprovalStatus.PENDING and _cards(fake_slack) == []
                # The worker comes back; its reaper finds the job stalled and runs it again.
                second = _worker(env, log)
                try:
                    deadline = time.monotonic() + 240
                    while client.pending() and time.monotonic() < deadline:
                        time.sleep(0.5)
                    assert client.pending() == 0, log.read_text(errors="replace")[-3000:]
                finally:
                    second.terminate()
                    second.wait(timeout=60)
                assert [a.id for a in approvals.list()] == [killed_with.id]  # one request, not two
                assert _cards(fake_slack) == [killed_with.id]  # one card
                kinds = [r.kind for r in approvals.audit.list(killed_with.id)]
                assert kinds == ["request"], kinds
                # One `question` record, under the turn's key, and a chain that still verifies.
                [question] = approvals.audit.list(kind="question")
                assert (question.idem_key or "").endswith(f"msg:C0RERUN:{ts}:question"), question
                assert approvals.audit.verify().ok
                placeholders = fake_slack.where("chat.postMessage", lambda a: a.get("text") == WORKING)
                assert len(placeholders) == 1
            finally:
                store.close()
        finally:
            client.close()
