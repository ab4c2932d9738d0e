"""kill -9 of the Slack worker process at every step of an approval.

The serving process replaces a dead worker; the new worker runs the reconciler as it starts, so a
request interrupted anywhere between request, decision, execution and verification ends executed
(the change made once) or failed (nothing changed) without anyone touching it again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from agent.runtime import Runtime
from agent.turn import Agent
from bot.slack.app import build_slack_app
from bot.slack.http import SlackHttpServer
from config import Settings
from config.failpoints import POINTS
from store import Store
from store.approvals import Approval, ApprovalStore
from store.audit import AuditLog
from tests.bot.slack.conftest import BOB, FIXED_NOW, SECRET, SlackDriver, make_settings
from tests.bot.slack.doubles import ContextPlanner, DurableChange
from tests.bot.slack.fake_slack import FakeSlack

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def crash_settings(tmp_path: Path, fake: FakeSlack, point: str) -> Settings:
    base = make_settings(tmp_path, fake, "redis")
    approvals = base.approvals.model_copy(update={"reconcile_grace_s": 0.0, "reconcile_interval_s": 0.5})
    return base.model_copy(update={"failpoint": point, "approvals": approvals})


@dataclass
class Rig:
    driver: SlackDriver
    settings: Settings
    audit: AuditLog
    changes: Path


@pytest.fixture
def rig(
    request: pytest.FixtureRequest, tmp_path: Path, fake_slack: FakeSlack, namespace: str
) -> Iterator[Rig]:
    settings = crash_settings(tmp_path, fake_slack, request.param)
    slack = build_slack_app(
        settings,
        runtime_factory="tests.bot.slack.doubles:durable_runtime",
        namespace=namespace,
        now=lambda: FIXED_NOW,
        workers=1,
        worker_nice=0,
    )
    server = SlackHttpServer(slack.app, SECRET, "127.0.0.1", 0)
    server.start()
    store = Store(settings.sqlalchemy_url)  # the worker's database, read from the test
    yield Rig(
        SlackDriver(fake_slack, slack, server, ApprovalStore(store)),
        settings,
        AuditLog(store),
        Path(settings.data_dir) / "changes.log",
    )
    server.stop()
    slack.close()
    store.close()


def wait_for(rig: Rig, approval_id: str, done: set[str], timeout_s: float = 90) -> Approval:
    deadline = time.monotonic() + timeout_s
    while True:
        approval = rig.driver.approvals.get(approval_id)
        assert approval is not None
        if approval.status.value in done or time.monotonic() > deadline:
            return approval
        time.sleep(0.3)


def only_request(rig: Rig) -> Approval:
    deadline = time.monotonic() + 60
    while not (found := rig.driver.approvals.list()) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("rig", POINTS, indirect=True)
def test_worker_killed_at_every_step(rig: Rig) -> None:
    driver, point = rig.driver, rig.settings.failpoint
    driver.mention("change thing-9")
    driver.settle()
    if point == "after_request":
        # The worker died before posting the card: the request waits, pending, and can still be
        # decided (here as from the terminal); it then runs exactly once.
        pending = only_request(rig)
        assert pending.status.value == "pending"
        runtime = Runtime.build(
            rig.settings.model_copy(update={"failpoint": None}),
            planner=ContextPlanner(),
            tools=[DurableChange(rig.changes)],
        )
        try:
            assert Agent(runtime).decide(pending.id, BOB, approve=True).ok
        finally:
            runtime.close()
        approval_id = pending.id
    else:
        approval_id, message_ts, _ = driver.approval_message()
        driver.click(approval_id, user=BOB, message_ts=message_ts)
        driver.settle()
    final = wait_for(rig, approval_id, {"executed", "failed"})
    applied = rig.changes.read_text().split() if rig.changes.exists() else []
    kinds = [r.kind for r in sorted(rig.audit.list(approval_id, limit=100), key=lambda r: r.id)]
    if point == "after_claim":
        # Killed before the change: nothing happened, and the request says so.
        assert final.status.value == "failed" and applied == [], (final, kinds)
    else:
        assert final.status.value == "executed", (final, kinds)
        assert applied == [approval_id]  # exactly once
        assert kinds.count("execution") == 1, kinds
    assert kinds[:2] == ["request", "decision"], kinds
