"""Nodes of an approval: gate (interrupt) -> apply (exactly once) -> verify -> finish.

Each approval runs on its own graph thread, so a pending approval never blocks the
conversation it came from (new input on an interrupted thread would discard the interrupt).
"""

from __future__ import annotations

from typing import Any, cast

from langgraph.types import interrupt

from agent.runner import Outcome, run_step
from agent.state import TurnState
from store.approvals import ApprovalStatus, ApprovalStore
from store.audit import AuditLog
from tools.base import AnyTool, ChangePlan, MutatingTool, ToolContext, ToolResult, ToolStatus


class ApprovalNodes:
    def __init__(
        self, ctx: ToolContext, registry: dict[str, AnyTool], approvals: ApprovalStore, audit: AuditLog
    ) -> None:
        self.ctx = ctx
        self.registry = registry
        self.approvals = approvals
        self.audit = audit

    def gate(self, state: TurnState) -> dict[str, Any]:
        # Nothing before interrupt(): LangGraph re-runs this node from the top on resume.
        decision = interrupt({"approval_id": state["approval_id"]})
        return {"decision": decision if isinstance(decision, dict) else {"decision": "invalid"}}

    @staticmethod
    def after_gate(state: TurnState) -> str:
        return "apply" if (state.get("decision") or {}).get("decision") == "approved" else "finish"

    def apply(self, state: TurnState) -> dict[str, Any]:
        approval_id = state["approval_id"] or ""
        approval = self.approvals.get(approval_id)
        now = self.ctx.clock.now()
        # The resume payload is never trusted: only the stored, approved request may execute,
        # and only the caller that wins the approved -> executing transition executes it.
        if approval is None or not self.approvals.transition(
            approval_id, ApprovalStatus.APPROVED, ApprovalStatus.EXECUTING
        ):
            status = approval.status.value if approval else "missing"
            msg = f"approval {approval_id} is {status}; nothing was executed"
            # Named after the approved request's own tool: the graph knows no tool by name.
            name = approval.tool if approval else "approval"
            return {
                "outcomes": [Outcome(name=name, status=ToolStatus.ERROR, message=msg).model_dump(mode="json")]
            }
        found = self.registry.get(approval.tool)
        if found is None:
            self.approvals.transition(
                approval_id,
                ApprovalStatus.EXECUTING,
                ApprovalStatus.FAILED,
                result={"error": f"unknown tool {approval.tool}"},
            )
            return {
                "outcomes": [
                    Outcome(
                        name=approval.tool, status=ToolStatus.ERROR, message=f"unknown tool {approval.tool}"
                    ).model_dump(mode="json")
                ]
            }
        tool = cast(MutatingTool[Any, Any], found)
        args = tool.parse(approval.args)
        plan = ChangePlan.model_validate(approval.plan)
        outcome = run_step(
            tool.name,
            approval.args,
            approval_id,
            lambda: tool.apply(self.ctx, args, plan, approval_id),
        )
        self.audit.record(
            "execution",
            approval.decided_by or "?",
            now,
            approval_id=approval_id,
            subject=f"{approval.action} {approval.resource_id}",
            detail={"status": str(outcome.status), "message": outcome.message, "data": outcome.data},
        )
        if outcome.status == ToolStatus.ERROR:
            self.approvals.transition(
                approval_id,
                ApprovalStatus.EXECUTING,
                ApprovalStatus.FAILED,
                result={"error": outcome.message},
            )
        return {"outcomes": [outcome.model_dump(mode="json")]}

    def verify(self, state: TurnState) -> dict[str, Any]:
        approval_id = state["approval_id"] or ""
        approval = self.approvals.get(approval_id)
        outcomes = list(state.get("outcomes", []))
        if approval is None or approval.status is not ApprovalStatus.EXECUTING:
            return {}
        tool = cast(MutatingTool[Any, Any], self.registry[approval.tool])
        args = tool.parse(approval.args)
        plan = ChangePlan.model_validate(approval.plan)
        verified: list[Any] = []

        def _verify() -> ToolResult:
            v = tool.verify(self.ctx, args, plan)
            verified.append(v)
            return ToolResult(
                status=ToolStatus.OK if v.ok else ToolStatus.ERROR, message=f"Verification: {v.message}"
            )

        outcome = run_step(tool.name, approval.args, approval_id, _verify)
        ok = bool(verified and verified[0].ok)
        applied = outcomes[-1] if outcomes else {}
        self.audit.record(
            "verification",
            "system",
            self.ctx.clock.now(),
            approval_id=approval_id,
            subject=f"{approval.action} {approval.resource_id}",
            detail={"ok": ok, "message": outcome.message},
        )
        self.approvals.transition(
            approval_id,
            ApprovalStatus.EXECUTING,
            ApprovalStatus.EXECUTED,
            result={
                "applied": applied.get("message", ""),
                "data": applied.get("data"),
                "verified": ok,
                "verification": outcome.message,
            },
        )
        return {"outcomes": outcomes + [outcome.model_dump(mode="json")]}

    @staticmethod
    def after_apply(state: TurnState) -> str:
        last = (state.get("outcomes") or [{}])[-1]
        return "verify" if last.get("status") != ToolStatus.ERROR else "finish"

    def finish(self, state: TurnState) -> dict[str, Any]:
        approval_id = state.get("approval_id") or ""
        approval = self.approvals.get(approval_id)
        decision = state.get("decision") or {}
        outcomes = [Outcome.model_validate(o) for o in state.get("outcomes", [])]
        if approval is None:
            text = f"Approval {approval_id} not found."
        elif approval.status in (ApprovalStatus.EXECUTED, ApprovalStatus.FAILED, ApprovalStatus.EXECUTING):
            verb = "Executed" if approval.status is ApprovalStatus.EXECUTED else "Failed"
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
