"""Nodes of a conversation turn: plan -> guard -> read-only tools -> dry run -> respond."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, cast

from agent.approvals import ApprovalService
from agent.guard import AccessCheck, RejectedCall, classify, is_mutating, tool_specs
from agent.planner.base import (
    FixSuggestion,
    PastTurn,
    PlannedCall,
    Planner,
    PlannerUnavailable,
    ToolOutcomeView,
)
from agent.runner import Outcome, error_ref, run_step
from agent.state import HISTORY_LIMIT, TurnState
from config.identity import IdentityError
from knowledge.answer import cites_properly
from tools.base import (
    AnyTool,
    ChangePlan,
    MutatingTool,
    ReadOnlyTool,
    ToolContext,
    ToolResult,
    ToolStatus,
)

log = logging.getLogger("cloudpilot.agent")


class TurnNodes:
    def __init__(
        self,
        ctx: ToolContext,
        registry: dict[str, AnyTool],
        planner: Planner,
        fallback: Planner,
        approvals: ApprovalService,
        max_repair_rounds: int,
    ) -> None:
        self.ctx = ctx
        self.registry = registry
        self.planner = planner
        self.fallback = fallback
        self.approvals = approvals
        self.max_repair_rounds = max_repair_rounds
        self.specs = tool_specs(registry.values())
        self._mutating = {name for name, tool in registry.items() if is_mutating(tool)}

    # -- plan -------------------------------------------------------------------------------
    def plan(self, state: TurnState) -> dict[str, Any]:
        history = [PastTurn.model_validate(h) for h in state.get("history", [])]
        now = self.ctx.clock.now()
        try:
            decision = self.planner.plan(state["text"], history, self.specs, now)
        except PlannerUnavailable as exc:
            log.warning("LLM planner unavailable, using the offline planner: %s", exc)
            decision = self.fallback.plan(state["text"], history, self.specs, now)
        return {
            "calls": [c.model_dump(mode="json") for c in _with_ids(decision.calls)],
            "direct_answer": decision.answer,
            "rejected": [],
            "outcomes": [],
            "approval_ids": [],
            "reply": None,
        }

    # -- guard ------------------------------------------------------------------------------
    def guard(self, state: TurnState) -> dict[str, Any]:
        calls = [PlannedCall.model_validate(c) for c in state.get("calls", [])]
        history = [PastTurn.model_validate(h) for h in state.get("history", [])]
        access = self._access(state)
        verdict = classify(calls, self.registry, access)
        given_up: list[RejectedCall] = []
        rounds = 0
        answer = state.get("direct_answer")
        # Argument errors go back to the planner (an LLM can correct itself), a bounded number of times.
        while verdict.rejected and rounds < self.max_repair_rounds and self.planner is not self.fallback:
            rounds += 1
            bad = verdict.rejected[0]
            try:
                fixed = self.planner.repair(
                    state["text"], history, self.specs, bad.call, bad.error, self.ctx.clock.now()
                )
            except PlannerUnavailable:
                break
            repaired = [
                c.model_copy(update={"id": f"repair-{rounds}-{i}"}) for i, c in enumerate(fixed.calls)
            ]
            calls = [c for c in calls if c is not bad.call] + repaired
            if not repaired:
                given_up.append(bad)
            answer = fixed.answer or answer
            verdict = classify(calls, self.registry, access)
        self._audit_refused(state, verdict.refused)
        verdict.rejected = given_up + verdict.rejected + verdict.refused
        order = {id(c): i for i, c in enumerate(calls)}
        accepted = sorted(verdict.read_only + verdict.mutating, key=lambda g: order.get(id(g.call), 0))
        return {
            "calls": [{**g.call.model_dump(mode="json"), "mutating": is_mutating(g.tool)} for g in accepted],
            "rejected": [
                {"call": r.call.model_dump(mode="json"), "error": r.error} for r in verdict.rejected
            ],
            "direct_answer": answer,
        }

    # -- access policy (config/access.py) --------------------------------------------------------
    def _access(self, state: TurnState) -> AccessCheck:
        policy, mode = self.ctx.settings.access, self.ctx.settings.aws.mode
        channel, user = state.get("channel", ""), state.get("user", "")
        return lambda tool: policy.decide(channel=channel, user=user, tool=tool, aws_mode=mode)

    def _scoped(self, state: TurnState, tool: str) -> ToolContext:
        """The context one call runs in: limited to the accounts the policy allows it."""
        decision = self._access(state)(tool)
        if decision.allowed and decision.accounts is None:
            return self.ctx
        # The guard drops refused calls; should one get here anyway, it may reach no account.
        return replace(self.ctx, allowed_accounts=decision.accounts if decision.allowed else frozenset())

    def _audit_refused(self, state: TurnState, refused: list[RejectedCall]) -> None:
        # The real time, not the tool clock: that one can be pinned to the billing sample's month.
        now = datetime.now(UTC)
        for r in refused:
            self.approvals.audit.record(
                "access_refused",
                state.get("user", ""),
                now,
                subject=r.call.name,
                detail={"channel": state.get("channel", ""), "reason": r.error, "args": r.call.args},
            )

    @staticmethod
    def after_guard(state: TurnState) -> str:
        calls = state.get("calls", [])
        if any(not c["mutating"] for c in calls):
            return "run_tools"
        if any(c["mutating"] for c in calls):
            return "dry_run"
        return "respond"

    @staticmethod
    def after_tools(state: TurnState) -> str:
        return "dry_run" if any(c["mutating"] for c in state.get("calls", [])) else "respond"

    # -- read-only tools ------------------------------------------------------------------------
    def run_tools(self, state: TurnState) -> dict[str, Any]:
        outcomes = list(state.get("outcomes", []))
        for c in state.get("calls", []):
            tool = self.registry[c["name"]]
            if c["mutating"] or is_mutating(tool):
                continue  # never here: mutating calls only go through dry_run and the gate
            reader = cast(ReadOnlyTool[Any, Any], tool)
            args = tool.parse(c["args"])
            scoped = self._scoped(state, tool.name)
            outcome = run_step(tool.name, c["args"], c["id"], partial(reader.run, scoped, args))
            outcomes.append(outcome.model_dump(mode="json"))
        return {"outcomes": outcomes}

    # -- dry run + approval request -----------------------------------------------------------
    def dry_run(self, state: TurnState) -> dict[str, Any]:
        outcomes = list(state.get("outcomes", []))
        approval_ids: list[str] = []
        for c in state.get("calls", []):
            if not c["mutating"]:
                continue
            tool = cast(MutatingTool[Any, Any], self.registry[c["name"]])
            cap = self.approvals.policy.max_requests_per_turn
            if len(approval_ids) >= cap:
                # A runaway model (or message) must not flood approvers with requests.
                refused = Outcome(
                    call_id=c["id"],
                    name=tool.name,
                    args=c["args"],
                    status=ToolStatus.ERROR,
                    message=f"Refused: one message may open at most {cap} approval request(s); "
                    "ask for the remaining changes separately. Nothing was requested for this one.",
                )
                outcomes.append(refused.model_dump(mode="json"))
                continue
            args = tool.parse(c["args"])
            plans: list[ChangePlan] = []
            scoped = self._scoped(state, tool.name)

            def _plan(
                t: MutatingTool[Any, Any] = tool,
                a: Any = args,
                out: list[ChangePlan] = plans,
                x: ToolContext = scoped,
            ) -> ToolResult:
                plan = t.plan(x, a)
                out.append(plan)
                return ToolResult(status=ToolStatus.APPROVAL_REQUIRED, message=plan.summary)

            outcome = run_step(tool.name, c["args"], c["id"], _plan)
            if outcome.status == ToolStatus.APPROVAL_REQUIRED and plans:
                plan = plans[0]
                if not plan.applicable:
                    outcome.status = ToolStatus.OK
                    outcome.message = f"Nothing to change: {plan.summary}"
                    outcome.data = {"plan": plan.model_dump(mode="json")}
                else:
                    try:
                        approval = self.approvals.request(
                            conversation_id=state["conversation_id"],
                            requester=state["user"],
                            channel=state.get("channel", ""),
                            tool=tool.name,
                            args=args.model_dump(mode="json"),
                            plan=plan,
                        )
                    except IdentityError as exc:  # audited as refused by the service
                        outcome.status = ToolStatus.ERROR
                        outcome.message = f"Refused: {exc}. Nothing was requested or changed."
                        outcome.data = None
                        outcomes.append(outcome.model_dump(mode="json"))
                        continue
                    approval_ids.append(approval.id)
                    outcome.data = {"approval_id": approval.id, "plan": approval.plan}
                    outcome.message = (
                        f"Dry run: {plan.summary.rstrip('.')}. Nothing has changed yet: this needs approval "
                        f"{approval.id} by one of {', '.join(self.approvals.approvers(plan.action))}."
                    )
            outcomes.append(outcome.model_dump(mode="json"))
        return {"outcomes": outcomes, "approval_ids": approval_ids}

    # -- respond -------------------------------------------------------------------------------
    def respond(self, state: TurnState) -> dict[str, Any]:
        outcomes = [Outcome.model_validate(o) for o in state.get("outcomes", [])]
        history = [PastTurn.model_validate(h) for h in state.get("history", [])]
        rejected = state.get("rejected", [])
        text = self._compose(state, history, outcomes)
        if rejected:
            text = "\n".join(
                [text] + [f"Could not run {r['call']['name']}: {r['error']}" for r in rejected]
            ).strip()
        calls = [PlannedCall.model_validate(c) for c in state.get("calls", [])]
        turn = PastTurn(
            text=state["text"], calls=calls, answer=text, fixable=_focus(_fixable(outcomes), state["text"])
        )
        reply: dict[str, Any] = {
            "text": text,
            "fixes": [f.model_dump(mode="json") for f in _fixable(outcomes)],
            "tool_calls": [{"name": c.name, "args": c.args} for c in calls],
            "data": _data(outcomes),
            "ok": not rejected and all(o.status != ToolStatus.ERROR for o in outcomes),
            "error_ref": next((o.error_ref for o in outcomes if o.error_ref), None),
        }
        for key in ("tables", "charts", "citations", "code"):
            reply[key] = [item for o in outcomes for item in o.presentation.get(key, [])]
        new_history = (history + [turn])[-HISTORY_LIMIT:]
        return {"reply": reply, "history": [h.model_dump(mode="json") for h in new_history]}

    def _compose(self, state: TurnState, history: list[PastTurn], outcomes: list[Outcome]) -> str:
        direct = state.get("direct_answer")
        if direct and self.planner is not self.fallback and _claims_a_change(direct) and not outcomes:
            # Only the store can say a change was approved or made; a model's words cannot.
            log.warning("model answer claimed an approval or change; not shown")
            return _CLAIM_REFUSED
        if not outcomes:
            return direct or (
                'I could not match that to anything I can do. Try "what can you do?"'
                if not state.get("rejected")
                else ""
            )
        views = [
            ToolOutcomeView(
                call=PlannedCall(name=o.name, args=o.args, id=o.call_id),
                status=str(o.status),
                message=o.message,
                data=o.data,
            )
            for o in outcomes
        ]
        if any(o.status == ToolStatus.APPROVAL_REQUIRED or o.name in self._mutating for o in outcomes):
            # Replies about approvals are rendered from the stored requests, never from model text.
            return self.fallback.compose(state["text"], history, views)
        try:
            text = self.planner.compose(state["text"], history, views)
        except PlannerUnavailable:
            return self.fallback.compose(state["text"], history, views)
        except Exception:
            ref = error_ref()
            log.exception("composing the answer failed (ref %s)", ref)
            return self.fallback.compose(state["text"], history, views)
        if self.planner is not self.fallback and _claims_a_change(text):
            log.warning("model answer claimed an approval or change; using the tools' own words")
            return self.fallback.compose(state["text"], history, views)
        passages = _passages_shown(outcomes)
        if passages and self.planner is not self.fallback and not cites_properly(text, passages):
            # An answer from documents must cite them; an uncited model answer is not shown.
            log.warning("model answer did not cite its %d passages; using the quoted passages", passages)
            return self.fallback.compose(state["text"], history, views)
        return text


_CLAIM = re.compile(
    r"\b(?:approved|executed|has\s+been\s+(?:applied|fixed|changed|closed|revoked|deleted|remediated))\b",
    re.IGNORECASE,
)
_CLAIM_REFUSED = (
    "I can't confirm approvals or changes from a model's text. `approvals list` (or the approval "
    "card) shows what was requested, decided and executed."
)


def _claims_a_change(text: str) -> bool:
    return bool(_CLAIM.search(text))


_TOPICS = ("public", "open", "encrypt", "mfa", "version", "key", "log", "backup", "idle", "unattached")


def _focus(fixes: list[FixSuggestion], question: str) -> list[FixSuggestion]:
    """Keep the fixes the question was about ("are any buckets public?" -> the public ones),
    so that "fix it" refers to them; when the question names no topic, keep them all."""
    words = [t for t in _TOPICS if t in question.lower()]
    if not words:
        return fixes
    focused = [f for f in fixes if any(w in f"{f.title} {f.action}".lower() for w in words)]
    return focused or fixes


def _passages_shown(outcomes: list[Outcome]) -> int:
    return sum(o.cited_passages for o in outcomes)


def _with_ids(calls: list[PlannedCall]) -> list[PlannedCall]:
    return [c if c.id else c.model_copy(update={"id": f"call-{i}"}) for i, c in enumerate(calls)]


def _data(outcomes: list[Outcome]) -> Any:
    if not outcomes:
        return None
    if len(outcomes) == 1:
        return outcomes[0].data
    return [{"name": o.name, "data": o.data} for o in outcomes]


def _fixable(outcomes: list[Outcome]) -> list[FixSuggestion]:
    """What the results offer to fix, so that "fix it" can refer to them."""
    return [fix for o in outcomes for fix in o.fixes]
