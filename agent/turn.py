"""The turn API that every front-end calls: handle a message, decide an approval."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from agent.approvals import Decision, DecisionOutcome
from agent.failures import failure_text
from agent.guard import tool_specs
from agent.messages import ApprovalView, ChatMessage, Reply
from agent.planner.base import ToolSpec
from agent.reconciler import ReconcileReport
from agent.runner import error_ref
from agent.runtime import Runtime
from store.approvals import Approval, ApprovalStatus
from store.audit import AuditRecord, ChainReport, record_key

log = logging.getLogger("cloudpilot.agent")


def approval_thread(approval_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": f"approval:{approval_id}"}}


class Agent:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime

    # -- conversation ------------------------------------------------------------------------
    def handle(self, msg: ChatMessage) -> Reply:
        try:
            return self._handle(msg)
        except Exception as exc:
            ref = error_ref()
            log.exception("turn failed (ref %s) for %s", ref, msg.conversation_id)
            return Reply(text=failure_text(exc, ref), ok=False, error_ref=ref)

    def call_tool(self, msg: ChatMessage, name: str, args: dict[str, Any]) -> Reply:
        """One tool call a tool-calling client chose itself (the MCP server): the same turn as
        `handle` without the planner. The guard checks the access policy and validates `args`
        against the tool's strict input model (unknown fields refused and audited); a read-only
        tool runs, a mutating one is only dry-run into a pending approval request, exactly as in
        chat. `msg.text` is what the audit records as the question."""
        try:
            return self._handle(msg, [{"name": name, "args": args, "id": "direct-0"}])
        except Exception as exc:
            ref = error_ref()
            log.exception("tool call failed (ref %s) for %s", ref, msg.conversation_id)
            return Reply(text=failure_text(exc, ref), ok=False, error_ref=ref)

    def tool_specs(self) -> list[ToolSpec]:
        """Every registered tool as planners see it: name, description, input schema, and the
        guard's own verdict on whether it changes anything."""
        return tool_specs(self.rt.registry.values())

    def may_use(self, channel: str, user: str, tool: str) -> bool:
        """Whether the access policy lets `user` in `channel` use `tool` (config/access.py)."""
        settings = self.rt.settings
        return settings.access.decide(
            channel=channel, user=user, tool=tool, aws_mode=settings.aws.mode
        ).allowed

    def record(self, kind: str, actor: str, subject: str, detail: dict[str, Any] | None = None) -> None:
        """Put a front-end's own event on the audit log (real time, hash-chained)."""
        self.rt.approvals.audit.record(
            kind, actor, self.rt.approvals.clock.now(), subject=subject[:500], detail=detail or {}
        )

    def _handle(self, msg: ChatMessage, direct_calls: list[dict[str, Any]] | None = None) -> Reply:
        text = msg.text.strip()
        if not text:
            return Reply(text='Say something, for example "what can you do?"', ok=False)
        config: RunnableConfig = {"configurable": {"thread_id": msg.conversation_id}}
        turn_key = _turn_key(msg)
        state = self.rt.graph.invoke(
            {
                "kind": "turn",
                "conversation_id": msg.conversation_id,
                "user": msg.user,
                "channel": msg.channel,
                "groups": msg.groups,
                "text": text,
                "direct_calls": direct_calls,
                "turn_key": turn_key,
                "approval_id": None,
                "decision": None,
                # A new turn, never the continuation of one a crash interrupted mid-loop.
                "again": False,
                "steps": 0,
            },
            config,
        )
        reply = Reply.model_validate(state["reply"])
        self._record_question(msg, text, reply, turn_key)
        for approval_id in state.get("withdrawn_ids", []):
            self._close_withdrawn(approval_id)
        for approval_id in state.get("approval_ids", []):
            # A keyed turn run again gets the requests it made before: their threads may be
            # waiting at the gate already, or done; only a thread never started is opened.
            if not self.rt.graph.get_state(approval_thread(approval_id)).values:
                self._open_gate(approval_id, msg.conversation_id)
            reply.approval = self.view(approval_id)
        return reply

    def _close_withdrawn(self, approval_id: str) -> None:
        # The withdrawn request's own thread still waits at its gate: let it finish.
        config = approval_thread(approval_id)
        if self.rt.graph.get_state(config).interrupts:
            self.rt.graph.invoke(
                Command(resume={"approval_id": approval_id, "decision": "withdrawn", "by": "requester"}),
                config,
            )

    def _record_question(self, msg: ChatMessage, text: str, reply: Reply, turn_key: str | None) -> None:
        # Every question is on the record with the tools it called: who asked what, where. Once
        # per keyed turn: a rerun after its worker was killed past this record writes no second.
        try:
            self.rt.approvals.audit.record(
                "question",
                msg.user,
                self.rt.approvals.clock.now(),
                subject=text[:500],
                detail={
                    "conversation": msg.conversation_id,
                    "channel": msg.channel,
                    "tools": [{"name": c.name, "args": c.args} for c in reply.tool_calls],
                    "ok": reply.ok,
                },
                idem_key=record_key(turn_key, "question") if turn_key else None,
            )
        except Exception:  # the answer is already computed: a lost record must not lose it
            log.exception("could not record the question of %s", msg.conversation_id)

    def _open_gate(self, approval_id: str, conversation_id: str) -> None:
        # Runs the approval's own thread up to the gate, where it waits durably.
        self.rt.graph.invoke(
            {
                "kind": "approval",
                "approval_id": approval_id,
                "conversation_id": conversation_id,
                "outcomes": [],
                "decision": None,
                "reply": None,
            },
            approval_thread(approval_id),
        )

    # -- approvals ---------------------------------------------------------------------------
    def decide(
        self, approval_id: str, actor: str, approve: bool, actor_groups: set[str] | None = None
    ) -> Reply:
        try:
            decision = self.rt.approvals.decide(approval_id, actor, approve, actor_groups)
            return self._resume(decision, actor)
        except Exception as exc:
            ref = error_ref()
            log.exception("decision failed (ref %s) on %s", ref, approval_id)
            return Reply(text=failure_text(exc, ref), ok=False, error_ref=ref)

    def _resume(self, decision: Decision, actor: str) -> Reply:
        approval = decision.approval
        if not decision.resumes_graph or approval is None:
            view = self.view(approval.id) if approval else None
            return Reply(text=decision.message, ok=False, approval=view)
        config = approval_thread(approval.id)
        if not self.rt.graph.get_state(config).interrupts:
            # The gate was never reached (e.g. a crash right after the request): reach it now.
            self._open_gate(approval.id, approval.conversation_id)
        state = self.rt.graph.invoke(
            # The stored, canonical decider (not the spelling typed or the platform's raw id).
            Command(
                resume={
                    "approval_id": approval.id,
                    "decision": decision.outcome.value,
                    "by": approval.decided_by or actor,
                }
            ),
            config,
        )
        reply = Reply.model_validate(state["reply"])
        reply.approval = self.view(approval.id)
        # Rejecting is a successful decision; an expired request is a failed approval.
        if decision.outcome is DecisionOutcome.REJECTED:
            reply.ok = True
        elif decision.outcome is DecisionOutcome.EXPIRED:
            reply.ok = False
        return reply

    def expire_stale(self) -> list[str]:
        expired = self.rt.approvals.expire_stale()
        for approval_id in expired:
            config = approval_thread(approval_id)
            if self.rt.graph.get_state(config).interrupts:
                self.rt.graph.invoke(
                    Command(resume={"approval_id": approval_id, "decision": "expired", "by": "system"}),
                    config,
                )
        return expired

    def reconcile(self) -> ReconcileReport:
        """Finish what crashes interrupted (see agent/reconciler.py); safe to run any time."""
        report = self.rt.reconciler.run_once()
        for line in report.lines():
            log.warning("reconciled %s", line)
        return report

    def view(self, approval_id: str) -> ApprovalView | None:
        approval = self.rt.approvals.approvals.get(approval_id)
        return _view(approval, self.rt.approvals.approvers(approval.action)) if approval else None

    def approvals(self, status: ApprovalStatus | None = None) -> list[ApprovalView]:
        self.expire_stale()
        return [
            _view(a, self.rt.approvals.approvers(a.action)) for a in self.rt.approvals.approvals.list(status)
        ]

    def audit(
        self,
        approval_id: str | None = None,
        *,
        kind: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        limit: int = 200,
        before_id: int | None = None,
        newest_first: bool = False,
    ) -> list[AuditRecord]:
        """The newest `limit` matching audit records (ids below `before_id` for the next page); in
        the order they were written unless `newest_first`, so an approval's story reads down."""
        return self.rt.approvals.audit.list(
            approval_id,
            kind=kind,
            actor=actor,
            since=since,
            limit=limit,
            before_id=before_id,
            newest_first=newest_first,
        )

    def verify_audit(self) -> ChainReport:
        """Check the audit log's hash chain end to end (store/audit.py)."""
        return self.rt.approvals.audit.verify()


def _turn_key(msg: ChatMessage) -> str | None:
    """The key the turn's approval requests are stored under: scoped by platform, so two
    front-ends' event ids never collide, and hashed when too long for its column."""
    if not msg.turn_key:
        return None
    key = f"{msg.platform}:{msg.turn_key}"
    if len(key) <= 200:
        return key
    return f"{msg.platform[:40]}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _view(a: Approval, approvers: list[str]) -> ApprovalView:
    return ApprovalView(
        id=a.id,
        action=a.action,
        resource_id=a.resource_id,
        plan=a.plan,
        status=a.status.value,
        requester=a.requester,
        approvers=approvers,
        expires_at=a.expires_at,
        decided_by=a.decided_by,
        result=a.result,
    )
