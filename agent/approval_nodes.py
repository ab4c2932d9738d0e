"""Nodes of an approval: gate (interrupt) -> apply (exactly once, then verified) -> finish.

Each approval runs on its own graph thread, so a pending approval never blocks the
conversation it came from (new input on an interrupted thread would discard the interrupt).
"""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt

from agent.execution import Executor
from agent.runner import Outcome
from agent.state import TurnState
from store.approvals import ApprovalStatus, ApprovalStore
from tools.base import ToolStatus


class ApprovalNodes:
    def __init__(self, approvals: ApprovalStore, executor: Executor) -> None:
        self.approvals = approvals
        self.executor = executor

    def gate(self, state: TurnState) -> dict[str, Any]:
        # Nothing before interrupt(): LangGraph re-runs this node from the top on resume.
        decision = interrupt({"approval_id": state["approval_id"]})
        return {"decision": decision if isinstance(decision, dict) else {"decision": "invalid"}}

    @staticmethod
    def after_gate(state: TurnState) -> str:
        return "apply" if (state.get("decision") or {}).get("decision") == "approved" else "finish"

    def apply(self, state: TurnState) -> dict[str, Any]:
        # The resume payload is never trusted: the executor reads the stored request and runs
        # it only if it is approved and it wins the approved -> executing transition.
        report = self.executor.execute(state["approval_id"] or "")
        return {"outcomes": [o.model_dump(mode="json") for o in report.outcomes]}

    def finish(self, state: TurnState) -> dict[str, Any]:
        approval_id = state.get("approval_id") or ""
        approval = self.approvals.get(approval_id)
        decision = state.get("decision") or {}
        outcomes = [Outcome.model_validate(o) for o in state.get("outcomes", [])]
        if approval is None:
            text = f"Approval {approval_id} not found."
        elif approval.status is ApprovalStatus.STALE:
            text = "\n".join(o.message for o in outcomes if o.message) or (
                f"Approval {approval.id} is stale: {approval.resource_id} changed since the request; "
                "nothing was executed."
            )
        elif approval.status in (
            ApprovalStatus.EXECUTED,
            ApprovalStatus.FAILED,
            ApprovalStatus.EXECUTING,
            ApprovalStatus.UNKNOWN,
        ):
            verb = {
                ApprovalStatus.EXECUTED: "Executed",
                ApprovalStatus.FAILED: "Failed",
            }.get(approval.status, "Started")
            lines = [
                f"{verb} {approval.action} on {approval.resource_id} "
                f"(approved by {approval.decided_by}, approval {approval.id})."
            ]
            lines += [o.message for o in outcomes if o.message]
            text = "\n".join(lines)
        elif approval.status in (ApprovalStatus.PENDING, ApprovalStatus.APPROVED):
            # Resumed without a stored decision (a forged or replayed resume): nothing ran.
            text = "\n".join(o.message for o in outcomes if o.message) or (
                f"Approval {approval.id} is {approval.status.value}; nothing was executed."
            )
        elif approval.status is ApprovalStatus.EXPIRED:
            text = (
                f"Approval {approval.id} for {approval.action} on {approval.resource_id} expired at "
                f"{approval.expires_at:%Y-%m-%d %H:%M} UTC; nothing was changed. Ask again for a fresh plan."
            )
        else:
            by = decision.get("by") or approval.decided_by or "system"
            text = (
                f"Approval {approval.id} for {approval.action} on {approval.resource_id} was "
                f"{approval.status.value} by {by}; nothing was changed."
            )
        ok = (
            approval is not None
            and approval.status is ApprovalStatus.EXECUTED
            and all(o.status != ToolStatus.ERROR for o in outcomes)
        )
        reply = {
            "text": text,
            "ok": ok,
            "tool_calls": [{"name": approval.tool, "args": approval.args}] if approval else [],
            "data": {
                "approval_id": approval_id,
                "status": approval.status.value if approval else None,
                "steps": [o.data for o in outcomes],
            },
        }
        return {"reply": reply}
