"""Finishes what a crash interrupted, so no approval request stays stuck.

Run at start-up (every CLI command, every Slack process) and periodically by long-running
services. It works only on requests whose last step is older than a grace period, so it never
races a live process that is about to take the next step itself; and when it does race one, the
conditional transitions let exactly one of them act.

- pending past expiry            -> expired
- approved, never started        -> executed once (re-planned and plan-checked like any execution)
- executing / unknown            -> verified against the cloud -> executed | failed (unknown: retried)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.approvals import ApprovalService
from agent.execution import ExecutionReport, Executor
from config import Clock
from config.clock import as_utc
from store.approvals import Approval, ApprovalStatus

log = logging.getLogger("cloudpilot.reconciler")


@dataclass
class ReconcileReport:
    expired: list[str] = field(default_factory=list)
    executed: list[ExecutionReport] = field(default_factory=list)
    recovered: list[ExecutionReport] = field(default_factory=list)

    @property
    def touched(self) -> int:
        return len(self.expired) + len(self.executed) + len(self.recovered)

    def lines(self) -> list[str]:
        out = [f"{a}: expired" for a in self.expired]
        out += [
            f"{r.approval_id}: {r.status.value if r.status else '?'} ({r.message})" for r in self.executed
        ]
        out += [
            f"{r.approval_id}: {r.status.value if r.status else '?'} ({r.message})" for r in self.recovered
        ]
        return out


class Reconciler:
    def __init__(self, approvals: ApprovalService, executor: Executor, clock: Clock, grace_s: float) -> None:
        self.approvals = approvals
        self.executor = executor
        self.clock = clock
        self.grace = timedelta(seconds=grace_s)

    def run_once(self) -> ReconcileReport:
        report = ReconcileReport(expired=self.approvals.expire_stale())
        now = self.clock.now()
        store = self.approvals.approvals
        for approval in store.in_status({ApprovalStatus.APPROVED}):
            if self._quiet(approval.decided_at, now):
                log.warning("approval %s was decided but never executed; executing it now", approval.id)
                report.executed.append(self.executor.execute(approval.id))
        for approval in store.in_status({ApprovalStatus.EXECUTING, ApprovalStatus.UNKNOWN}):
            if self._quiet(_executing_since(approval), now):
                log.warning("approval %s was left %s; checking the cloud", approval.id, approval.status.value)
                report.recovered.append(self.executor.recover(approval.id))
        return report

    def _quiet(self, since: datetime | None, now: datetime) -> bool:
        return since is None or now - as_utc(since) >= self.grace


def _executing_since(approval: Approval) -> datetime | None:
    raw = (approval.result or {}).get("executing_since")
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else approval.decided_at
    except ValueError:
        return approval.decided_at
