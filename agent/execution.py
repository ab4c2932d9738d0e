"""Executing an approved request exactly once, and finishing one a crash interrupted.

Every step writes its durable record before the next side effect:

    approved --(plan computed again; must match the approved plan's hash)--> executing
    executing --apply--> "execution" record --verify--> executed
    executing --apply refused--> failed
    approved --plan differs--> stale

Both the approval graph (right after a decision) and the reconciler (after a crash) call
`Executor`; the conditional approved -> executing transition decides which one runs the change,
and the idempotency key given to the tool is the approval id. Recovery never applies again: it
asks the action's own verify step whether the change is in place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, cast

from agent.runner import Outcome, run_step
from config import Clock
from config.failpoints import Failpoints
from store.approvals import Approval, ApprovalStatus, ApprovalStore, AuditEntry, plan_digest
from tools.base import AnyTool, ChangePlan, MutatingTool, ToolContext, ToolResult, ToolStatus

log = logging.getLogger("cloudpilot.agent")


@dataclass
class ExecutionReport:
    """What happened to one request, for the reply and the reconciler's summary."""

    approval_id: str
    status: ApprovalStatus | None
    outcomes: list[Outcome] = field(default_factory=list)
    message: str = ""


class Executor:
    def __init__(
        self,
        ctx: ToolContext,
        registry: dict[str, AnyTool],
        approvals: ApprovalStore,
        clock: Clock,
        failpoints: Failpoints,
    ) -> None:
        self.ctx = ctx
        self.registry = registry
        self.approvals = approvals
        # The real clock: audit times and the executing mark never follow a pinned clock.
        self.clock = clock
        self.failpoints = failpoints

    # -- the normal path ------------------------------------------------------------------------
    def execute(self, approval_id: str) -> ExecutionReport:
        """Run an approved request once: re-plan, claim, apply, record, verify."""
        approval = self.approvals.get(approval_id)
        if approval is None or approval.status is not ApprovalStatus.APPROVED:
            status = approval.status.value if approval else "missing"
            return self._nothing(
                approval_id, approval, f"approval {approval_id} is {status}; nothing was executed"
            )
        tool = self._tool(approval)
        if tool is None:
            self.approvals.transition(
                approval_id,
                ApprovalStatus.APPROVED,
                ApprovalStatus.FAILED,
                record=self._entry(approval, "failed", {"error": f"unknown tool {approval.tool}"}),
                result={"error": f"unknown tool {approval.tool}"},
            )
            return self._nothing(approval_id, approval, f"unknown tool {approval.tool}; nothing was executed")
        args = tool.parse(approval.args)
        drift = self._drift(approval, tool, args)
        if drift is not None:
            return drift
        plan = ChangePlan.model_validate(approval.plan)
        if not self.approvals.transition(
            approval_id,
            ApprovalStatus.APPROVED,
            ApprovalStatus.EXECUTING,
            record=self._entry(approval, "executing", {"plan_hash": plan_digest(approval.plan)}),
            result={"executing_since": self.clock.now().isoformat()},
        ):
            # Another process (or the reconciler) claimed it first: it executes, not us.
            current = self.approvals.get(approval_id)
            status = current.status.value if current else "missing"
            return self._nothing(
                approval_id, current, f"approval {approval_id} is {status}; nothing was executed"
            )
        self.failpoints.hit("after_claim")
        applied = run_step(
            tool.name, approval.args, approval_id, lambda: tool.apply(self.ctx, args, plan, approval_id)
        )
        self.failpoints.hit("after_apply")
        detail = {"status": str(applied.status), "message": applied.message, "data": applied.data}
        if applied.status == ToolStatus.ERROR:
            self.approvals.transition(
                approval_id,
                ApprovalStatus.EXECUTING,
                ApprovalStatus.FAILED,
                record=self._entry(approval, "execution", detail, actor=approval.decided_by or "?"),
                result={"error": applied.message},
            )
            return ExecutionReport(approval_id, ApprovalStatus.FAILED, [applied], applied.message)
        self.approvals.record(
            approval_id, self._entry(approval, "execution", detail, actor=approval.decided_by or "?")
        )
        self.failpoints.hit("after_execution_record")
        return self._verify_and_close(approval, tool, args, plan, applied)

    def _drift(self, approval: Approval, tool: MutatingTool[Any, Any], args: Any) -> ExecutionReport | None:
        """None when the plan computed now is the approved one; else the request is made stale."""
        fresh: list[ChangePlan] = []

        def _plan() -> ToolResult:
            fresh.append(tool.plan(self.ctx, args))
            return ToolResult(message=fresh[-1].summary)

        checked = run_step(tool.name, approval.args, approval.id, _plan)
        if not fresh:
            reason = f"the plan could not be checked again before executing: {checked.message}"
        else:
            now_plan = fresh[0].model_dump(mode="json")
            if plan_digest(now_plan) == plan_digest(approval.plan):
                return None
            reason = (
                f"{approval.resource_id} changed since the request was approved; the plan now would be: "
                f"{fresh[0].summary}"
            )
        detail: dict[str, Any] = {"reason": reason, "approved_plan_hash": plan_digest(approval.plan)}
        if fresh:
            current_plan = fresh[0].model_dump(mode="json")
            detail["current_plan"] = current_plan
            detail["current_plan_hash"] = plan_digest(current_plan)
        status = ApprovalStatus.STALE if fresh else ApprovalStatus.FAILED
        moved = self.approvals.transition(
            approval.id,
            ApprovalStatus.APPROVED,
            status,
            record=self._entry(approval, status.value, detail),
            result={"error": reason},
        )
        if not moved:
            current = self.approvals.get(approval.id)
            state = current.status.value if current else "missing"
            return self._nothing(
                approval.id, current, f"approval {approval.id} is {state}; nothing was executed"
            )
        message = f"Not executed: {reason}. Nothing was changed; ask again for a fresh plan."
        return ExecutionReport(
            approval.id,
            status,
            [Outcome(name=tool.name, status=ToolStatus.ERROR, message=message)],
            message,
        )

    def _verify_and_close(
        self,
        approval: Approval,
        tool: MutatingTool[Any, Any],
        args: Any,
        plan: ChangePlan,
        applied: Outcome,
        recovered: bool = False,
    ) -> ExecutionReport:
        verified, _answered = self._verify(approval, tool, args, plan)
        ok = verified.status == ToolStatus.OK
        self.approvals.transition(
            approval.id,
            ApprovalStatus.EXECUTING,
            ApprovalStatus.EXECUTED,
            record=self._entry(
                approval,
                "verification",
                {"ok": ok, "message": verified.message, "recovered": recovered},
                actor="system",
            ),
            result={
                "applied": applied.message,
                "data": applied.data,
                "verified": ok,
                "verification": verified.message,
            },
        )
        self.failpoints.hit("after_verify")
        return ExecutionReport(approval.id, ApprovalStatus.EXECUTED, [applied, verified], verified.message)

    def _verify(
        self, approval: Approval, tool: MutatingTool[Any, Any], args: Any, plan: ChangePlan
    ) -> tuple[Outcome, bool]:
        """The verification outcome, and whether the cloud answered at all (False: it raised)."""
        answers: list[bool] = []

        def _check() -> ToolResult:
            v = tool.verify(self.ctx, args, plan)
            answers.append(v.ok)
            return ToolResult(
                status=ToolStatus.OK if v.ok else ToolStatus.ERROR, message=f"Verification: {v.message}"
            )

        return run_step(tool.name, approval.args, approval.id, _check), bool(answers)

    # -- after a crash ------------------------------------------------------------------------
    def recover(self, approval_id: str) -> ExecutionReport:
        """Close a request a crash left executing (or unknown), by asking the cloud, never by
        applying again: in place -> executed; not in place -> failed; cannot tell -> unknown."""
        approval = self.approvals.get(approval_id)
        if approval is None or approval.status not in (ApprovalStatus.EXECUTING, ApprovalStatus.UNKNOWN):
            status = approval.status.value if approval else "missing"
            return self._nothing(
                approval_id, approval, f"approval {approval_id} is {status}; nothing to recover"
            )
        tool = self._tool(approval)
        if tool is None:
            return self._nothing(approval_id, approval, f"unknown tool {approval.tool}; left as it is")
        args = tool.parse(approval.args)
        plan = ChangePlan.model_validate(approval.plan)
        check, answered = self._verify(approval, tool, args, plan)
        current = approval.status
        if not answered:
            # The cloud could not answer: say so, and keep checking on later rounds.
            if current is ApprovalStatus.EXECUTING:
                self.approvals.transition(
                    approval_id,
                    current,
                    ApprovalStatus.UNKNOWN,
                    record=self._entry(approval, "unknown", {"reason": check.message}, actor="reconciler"),
                    result={"error": check.message},
                )
            return ExecutionReport(approval_id, ApprovalStatus.UNKNOWN, [check], check.message)
        if check.status == ToolStatus.OK:
            if not self._has_execution_record(approval_id):
                # The process died between the cloud call and its record: the change is in
                # place, so the audit log must say it was executed (and by whose approval).
                self.approvals.record(
                    approval_id,
                    self._entry(
                        approval,
                        "execution",
                        {
                            "status": "ok",
                            "recovered": True,
                            "message": "found in place after an interruption",
                        },
                        actor=approval.decided_by or "?",
                    ),
                )
            self.approvals.transition(
                approval_id,
                current,
                ApprovalStatus.EXECUTED,
                record=self._entry(
                    approval,
                    "verification",
                    {"ok": True, "message": check.message, "recovered": True},
                    actor="reconciler",
                ),
                result={
                    "applied": "recovered after an interruption",
                    "verified": True,
                    "verification": check.message,
                },
            )
            return ExecutionReport(approval_id, ApprovalStatus.EXECUTED, [check], check.message)
        reason = f"interrupted before the change was complete; {check.message}"
        self.approvals.transition(
            approval_id,
            current,
            ApprovalStatus.FAILED,
            record=self._entry(approval, "failed", {"reason": reason, "recovered": True}, actor="reconciler"),
            result={"error": reason},
        )
        return ExecutionReport(approval_id, ApprovalStatus.FAILED, [check], reason)

    # -- helpers ------------------------------------------------------------------------------
    def _has_execution_record(self, approval_id: str) -> bool:
        return any(r.kind == "execution" for r in self.approvals.audit.list(approval_id, limit=1000))

    def _tool(self, approval: Approval) -> MutatingTool[Any, Any] | None:
        found = self.registry.get(approval.tool)
        if found is None or not found.mutating:
            return None
        return cast(MutatingTool[Any, Any], found)

    def _entry(
        self, approval: Approval, kind: str, detail: dict[str, Any], actor: str = "system"
    ) -> AuditEntry:
        return AuditEntry(
            kind=kind,
            actor=actor,
            at=self.clock.now(),
            subject=f"{approval.action} {approval.resource_id}",
            detail=detail,
        )

    @staticmethod
    def _nothing(approval_id: str, approval: Approval | None, message: str) -> ExecutionReport:
        name = approval.tool if approval else "approval"
        return ExecutionReport(
            approval_id,
            approval.status if approval else None,
            [Outcome(name=name, status=ToolStatus.ERROR, message=message)],
            message,
        )
