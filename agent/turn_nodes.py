"""Nodes of a conversation turn: plan -> guard -> read-only tools -> dry run -> respond.

With an LLM planner the turn is an agent loop: after the read-only tools ran, the turn goes back
to plan and the model reads their results (trimmed to `llm.tool_result_chars`), then calls more
tools or answers, up to `llm.max_steps` model steps. A mutating call at any step ends the loop in
a dry run and an approval request. Every model call of the turn must answer before the turn's
deadline (`llm.turn_deadline_s`); when one fails or times out, the built-in planner answers and
the reply says so. The offline planner is single-step: for it the loop never happens.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, cast

from agent.approvals import ApprovalService, DecisionOutcome, approval_status_line
from agent.guard import AccessCheck, RejectedCall, classify, is_mutating, tool_specs
from agent.planner.approval_requests import approval_query
from agent.planner.base import (
    ApprovalQuery,
    FixSuggestion,
    LoopRound,
    PastTurn,
    PlannedCall,
    Planner,
    PlannerDecision,
    PlannerTimeout,
    PlannerUnavailable,
    ToolOutcomeView,
)
from agent.planner.llm import LlmPlanner, tool_message_content
from agent.runner import Outcome, error_ref, run_step
from agent.state import HISTORY_LIMIT, TurnState
from config.identity import IdentityError
from knowledge.answer import cites_properly
from store.approvals import Approval
from store.audit import record_key
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
        # Only an LLM planner loops and runs on the turn deadline.
        self.llm = planner if isinstance(planner, LlmPlanner) else None

    def _model_on(self, state: TurnState) -> bool:
        """Whether the planner's model still speaks for this turn (not once the fallback took over,
        and never for calls a client chose itself: those are run or refused as sent)."""
        return self.planner is not self.fallback and not state.get("llm_note") and not _direct(state)

    # -- plan -------------------------------------------------------------------------------
    def plan(self, state: TurnState) -> dict[str, Any]:
        if state.get("again"):
            return self._next_step(state)
        history = [PastTurn.model_validate(h) for h in state.get("history", [])]
        now = self.ctx.clock.now()
        deadline = time.monotonic() + self.ctx.settings.llm.turn_deadline_s if self.llm else None
        note: str | None = None
        try:
            query = approval_query(state["text"]) if not _direct(state) else None
            if _direct(state):
                # The client named the tool and its arguments: no planner reads or rewrites them.
                calls = [PlannedCall.model_validate(c) for c in state.get("direct_calls") or []]
                decision = PlannerDecision(calls=calls)
            elif query is not None:
                # About the agent's own approval records: answered from the store, whatever the planner.
                decision = PlannerDecision(approval_query=query)
            elif self.llm is not None:
                decision = self.llm.plan(state["text"], history, self.specs, now, deadline=deadline)
            else:
                decision = self.planner.plan(state["text"], history, self.specs, now)
        except PlannerUnavailable as exc:
            log.warning("LLM planner unavailable, using the offline planner: %s", exc)
            note = _fallback_note(exc)
            decision = self.fallback.plan(state["text"], history, self.specs, now)
        withdrawn: list[str] = []
        answer = decision.answer
        if decision.approval_query is not None:
            answer, withdrawn = self._about_approvals(decision.approval_query, state)
        return {
            "calls": [c.model_dump(mode="json") for c in _with_ids(decision.calls)],
            "direct_answer": answer,
            "suggestions": list(decision.suggestions),
            # An answer read from the approval store, not written by a model: shown as it is.
            "store_answer": decision.approval_query is not None,
            "withdrawn_ids": withdrawn,
            "rejected": [],
            "outcomes": [],
            "approval_ids": [],
            "reply": None,
            "steps": 1,
            "again": False,
            "rounds": [],
            "turn_calls": [],
            "step_rejected": [],
            "deadline": deadline,
            "llm_note": note,
        }

    def _about_approvals(self, query: ApprovalQuery, state: TurnState) -> tuple[str, list[str]]:
        """Status or withdrawal of a request, answered from the approval store (never a tool)."""
        store = self.approvals.approvals
        approval = (
            store.get(query.approval_id) if query.approval_id else store.latest(state["conversation_id"])
        )
        if approval is None:
            which = (
                f"approval {query.approval_id}"
                if query.approval_id
                else "an approval request in this conversation"
            )
            return f"I could not find {which}. `approvals list` shows every request.", []
        if query.kind == "withdraw":
            decision = self.approvals.withdraw(approval.id, state["user"])
            done = decision.outcome is DecisionOutcome.WITHDRAWN
            return decision.message if done else f"Not withdrawn: {decision.message}.", [
                approval.id
            ] if done else []
        return approval_status_line(approval, self.approvals.approvers(approval.action)), []

    def _next_step(self, state: TurnState) -> dict[str, Any]:
        """A later step of the loop: the model reads this turn's tool results and goes on."""
        assert self.llm is not None  # only an LLM planner loops (see _loops)
        history = [PastTurn.model_validate(h) for h in state.get("history", [])]
        rounds = [LoopRound.model_validate(r) for r in state.get("rounds", [])]
        step = state.get("steps", 1) + 1
        note: str | None = None
        try:
            decision = self.llm.step(
                state["text"],
                history,
                self.specs,
                self.ctx.clock.now(),
                rounds,
                deadline=state.get("deadline"),
            )
        except PlannerUnavailable as exc:
            # The results so far are real; the built-in planner writes the answer from them.
            log.warning("LLM unavailable at step %d, answering from the results so far: %s", step, exc)
            decision, note = PlannerDecision(), _fallback_note(exc)
        # Tool-call ids are unique within the turn, whatever ids the model reuses.
        calls = [c.model_copy(update={"id": f"s{step}-{c.id or i}"}) for i, c in enumerate(decision.calls)]
        return {
            "calls": [c.model_dump(mode="json") for c in calls],
            "direct_answer": decision.answer,
            "suggestions": list(decision.suggestions),
            "steps": step,
            "again": False,
            "step_rejected": [],
            "llm_note": note,
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
        while verdict.rejected and rounds < self.max_repair_rounds and self._model_on(state):
            rounds += 1
            bad = verdict.rejected[0]
            try:
                fixed = self._repair(state, history, bad)
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
        if _direct(state):
            # A client's own arguments that the input model refuses (unknown tools, unknown fields
            # such as a forged "approved") are attempts worth seeing: on the record, never run.
            self._audit_invalid(state, verdict.rejected)
        verdict.rejected = given_up + verdict.rejected + verdict.refused
        order = {id(c): i for i, c in enumerate(calls)}
        accepted = sorted(verdict.read_only + verdict.mutating, key=lambda g: order.get(id(g.call), 0))
        step_calls = [{**g.call.model_dump(mode="json"), "mutating": is_mutating(g.tool)} for g in accepted]
        step_rejected = [{"call": r.call.model_dump(mode="json"), "error": r.error} for r in verdict.rejected]
        return {
            "calls": step_calls,
            # Earlier steps' rejections stay reported; this step's are also shown to the model.
            "rejected": list(state.get("rejected", [])) + step_rejected,
            "step_rejected": step_rejected,
            "turn_calls": list(state.get("turn_calls", [])) + step_calls,
            "direct_answer": answer,
        }

    def _repair(self, state: TurnState, history: list[PastTurn], bad: RejectedCall) -> PlannerDecision:
        now = self.ctx.clock.now()
        if self.llm is not None:
            return self.llm.repair(
                state["text"], history, self.specs, bad.call, bad.error, now, deadline=state.get("deadline")
            )
        return self.planner.repair(state["text"], history, self.specs, bad.call, bad.error, now)

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
        for index, r in enumerate(refused):
            self.approvals.audit.record(
                "access_refused",
                state.get("user", ""),
                now,
                subject=r.call.name,
                detail={"channel": state.get("channel", ""), "reason": r.error, "args": r.call.args},
                idem_key=_guard_record_key(state, "access_refused", index, r),
            )

    def _audit_invalid(self, state: TurnState, rejected: list[RejectedCall]) -> None:
        now = datetime.now(UTC)
        for index, r in enumerate(rejected):
            self.approvals.audit.record(
                "refused",
                state.get("user", ""),
                now,
                subject=r.call.name[:200],
                detail={"channel": state.get("channel", ""), "reason": r.error, "args": r.call.args},
                idem_key=_guard_record_key(state, "refused", index, r),
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
        if any(c["mutating"] for c in state.get("calls", [])):
            return "dry_run"  # a change ends the loop: dry run, approval request, answer
        return "plan" if state.get("again") else "respond"

    def _loops(self, state: TurnState) -> bool:
        """Whether the model gets another step after this step's read-only tools."""
        return (
            self.llm is not None
            and self._model_on(state)
            and state.get("steps", 1) < self.ctx.settings.llm.max_steps
            and not any(c["mutating"] for c in state.get("calls", []))
        )

    # -- read-only tools ------------------------------------------------------------------------
    def run_tools(self, state: TurnState) -> dict[str, Any]:
        jobs = []
        for c in state.get("calls", []):
            tool = self.registry[c["name"]]
            if c["mutating"] or is_mutating(tool):
                continue  # never here: mutating calls only go through dry_run and the gate
            reader = cast(ReadOnlyTool[Any, Any], tool)
            args = tool.parse(c["args"])
            scoped = self._scoped(state, tool.name)
            jobs.append(partial(run_step, tool.name, c["args"], c["id"], partial(reader.run, scoped, args)))
        if len(jobs) > 1 and self.llm is not None:
            # One model step's read-only calls run side by side (the shared AWS, cost and knowledge
            # clients are thread-safe; run_step turns every failure into an outcome).
            with ThreadPoolExecutor(max_workers=min(len(jobs), _PARALLEL), thread_name_prefix="tool") as pool:
                done = list(pool.map(lambda job: job(), jobs))
        else:
            done = [job() for job in jobs]
        outcomes = list(state.get("outcomes", [])) + [o.model_dump(mode="json") for o in done]
        update: dict[str, Any] = {"outcomes": outcomes, "again": self._loops(state)}
        if update["again"]:
            update["rounds"] = list(state.get("rounds", [])) + [
                self._round(state, done).model_dump(mode="json")
            ]
        return update

    def _round(self, state: TurnState, done: list[Outcome]) -> LoopRound:
        """This step as the model reads it next: each call with its trimmed result or its rejection."""
        limit = self.ctx.settings.llm.tool_result_chars
        by_id = {o.call_id: o for o in done}
        calls: list[PlannedCall] = []
        results: list[str] = []
        for c in state.get("calls", []):
            call = PlannedCall.model_validate(c)
            o = by_id.get(call.id)
            if o is None:
                continue
            view = ToolOutcomeView(call=call, status=str(o.status), message=o.message, data=o.data)
            calls.append(call)
            results.append(tool_message_content(view, limit))
        for r in state.get("step_rejected", []):
            calls.append(PlannedCall.model_validate(r["call"]))
            results.append(f"status: error\nNot run: {r['error']}")
        return LoopRound(calls=calls, results=results)

    # -- dry run + approval request -----------------------------------------------------------
    def dry_run(self, state: TurnState) -> dict[str, Any]:
        outcomes = list(state.get("outcomes", []))
        approval_ids: list[str] = []
        turn_key = state.get("turn_key")
        mutating = [c for c in state.get("calls", []) if c["mutating"]]
        for index, c in enumerate(mutating):
            tool = cast(MutatingTool[Any, Any], self.registry[c["name"]])
            conversation = state["conversation_id"]
            earlier = self.approvals.earlier_request(turn_key, index, conversation) if turn_key else None
            if earlier is not None:
                # This turn ran before (its worker was killed, its job retried) and made this request
                # then: answer with it, without planning or requesting again.
                approval_ids.append(earlier.id)
                outcomes.append(self._requested(c, earlier).model_dump(mode="json"))
                continue
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
                            turn_key=turn_key,
                            call_index=index,
                        )
                    except IdentityError as exc:  # audited as refused by the service
                        outcome.status = ToolStatus.ERROR
                        outcome.message = f"Refused: {exc}. Nothing was requested or changed."
                        outcome.data = None
                        outcomes.append(outcome.model_dump(mode="json"))
                        continue
                    approval_ids.append(approval.id)
                    outcome = self._requested(c, approval, outcome)
            outcomes.append(outcome.model_dump(mode="json"))
        return {"outcomes": outcomes, "approval_ids": approval_ids}

    def _requested(self, call: dict[str, Any], approval: Approval, outcome: Outcome | None = None) -> Outcome:
        """The dry run's outcome for a stored request, told from the stored plan (the one the
        approver sees), whether this run or an earlier run of the turn made it."""
        outcome = outcome or Outcome(
            call_id=call["id"],
            name=call["name"],
            args=call["args"],
            status=ToolStatus.APPROVAL_REQUIRED,
            message="",
        )
        summary = str(approval.plan.get("summary") or f"{approval.action} on {approval.resource_id}")
        outcome.status = ToolStatus.APPROVAL_REQUIRED
        outcome.data = {"approval_id": approval.id, "plan": approval.plan}
        outcome.message = (
            f"Dry run: {summary.rstrip('.')}. Nothing has changed yet: this needs approval "
            f"{approval.id} by one of {', '.join(self.approvals.approvers(approval.action))}."
        )
        return outcome

    # -- respond -------------------------------------------------------------------------------
    def respond(self, state: TurnState) -> dict[str, Any]:
        outcomes = [Outcome.model_validate(o) for o in state.get("outcomes", [])]
        history = [PastTurn.model_validate(h) for h in state.get("history", [])]
        rejected = state.get("rejected", [])
        text, note = self._compose(state, history, outcomes)
        if rejected:
            text = "\n".join(
                [text] + [f"Could not run {r['call']['name']}: {r['error']}" for r in rejected]
            ).strip()
        if self._stopped_at_limit(state, note):
            text += f"\n(Stopped after {state.get('steps', 1)} steps, the limit set by llm.max_steps.)"
        if note:
            text = f"{note}\n{text}"
        calls = [PlannedCall.model_validate(c) for c in state.get("turn_calls", state.get("calls", []))]
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
            # Offered with a direct answer only: once tools ran, the message was understood.
            "suggestions": [] if outcomes or rejected else list(state.get("suggestions", [])),
        }
        for key in ("tables", "charts", "citations", "code"):
            reply[key] = [item for o in outcomes for item in o.presentation.get(key, [])]
        new_history = (history + [turn])[-HISTORY_LIMIT:]
        return {"reply": reply, "history": [h.model_dump(mode="json") for h in new_history], "again": False}

    def _stopped_at_limit(self, state: TurnState, note: str | None) -> bool:
        calls = state.get("calls", [])
        return (
            self.llm is not None
            and note is None
            and bool(calls)
            and not any(c["mutating"] for c in calls)
            and 1 < self.ctx.settings.llm.max_steps <= state.get("steps", 1)
        )

    def _compose(
        self, state: TurnState, history: list[PastTurn], outcomes: list[Outcome]
    ) -> tuple[str, str | None]:
        """The answer, and the line saying the built-in planner took over (or None)."""
        note = state.get("llm_note")
        direct = state.get("direct_answer")
        trusted = bool(state.get("store_answer"))
        if direct and not trusted and self._model_on(state) and _claims_a_change(direct) and not outcomes:
            # Only the store can say a change was approved or made; a model's words cannot.
            log.warning("model answer claimed an approval or change; not shown")
            return _CLAIM_REFUSED, note
        if not outcomes:
            return direct or (
                'I could not match that to anything I can do. Try "what can you do?"'
                if not state.get("rejected")
                else ""
            ), note
        views = [
            ToolOutcomeView(
                call=PlannedCall(name=o.name, args=o.args, id=o.call_id),
                status=str(o.status),
                message=o.message,
                data=o.data,
            )
            for o in outcomes
        ]
        own_words = self.fallback.compose(state["text"], history, views)
        if any(o.status == ToolStatus.APPROVAL_REQUIRED or o.name in self._mutating for o in outcomes):
            # Replies about approvals are rendered from the stored requests, never from model text.
            return own_words, note
        if not self._model_on(state):
            return own_words, note
        # In the loop, the model's last step answered in words after reading the results.
        final = (
            direct if self.llm is not None and state.get("steps", 1) > 1 and not state.get("calls") else None
        )
        if final:
            text = final
        else:
            try:
                text = self._model_compose(state, history, views)
            except PlannerUnavailable as exc:
                log.warning("LLM unavailable for the answer, using the built-in one: %s", exc)
                return own_words, _fallback_note(exc)
            except Exception:
                ref = error_ref()
                log.exception("composing the answer failed (ref %s)", ref)
                return own_words, note
        if _claims_a_change(text):
            log.warning("model answer claimed an approval or change; using the tools' own words")
            return own_words, note
        passages = _passages_shown(outcomes)
        if passages and not cites_properly(text, passages):
            # An answer from documents must cite them; an uncited model answer is not shown.
            log.warning("model answer did not cite its %d passages; using the quoted passages", passages)
            return own_words, note
        return text, note

    def _model_compose(self, state: TurnState, history: list[PastTurn], views: list[ToolOutcomeView]) -> str:
        if self.llm is not None:
            return self.llm.compose(state["text"], history, views, deadline=state.get("deadline"))
        return self.planner.compose(state["text"], history, views)


_CLAIM = re.compile(
    r"\b(?:approved|executed|has\s+been\s+(?:applied|fixed|changed|closed|revoked|deleted|remediated))\b",
    re.IGNORECASE,
)
_CLAIM_REFUSED = (
    "I can't confirm approvals or changes from a model's text. `approvals list` (or the approval "
    "card) shows what was requested, decided and executed."
)


_PARALLEL = 4  # read-only calls of one model step run at most this many at a time

TIMEOUT_NOTE = "(The language model did not answer in time; answered by the built-in planner.)"
FAILURE_NOTE = "(The language model failed; answered by the built-in planner.)"


def _direct(state: TurnState) -> bool:
    return state.get("direct_calls") is not None


def _guard_record_key(state: TurnState, kind: str, index: int, r: RejectedCall) -> str | None:
    """The audit key of the guard's record of `r`, the `index`th it refused at this step: the
    same turn run again (its worker killed, its job retried) refusing the same call writes no
    second record, while a call a model chose differently on the rerun is still recorded. None
    for a turn without a key (terminal, MCP): recorded every time, as before."""
    turn_key = state.get("turn_key")
    if not turn_key:
        return None
    call = json.dumps([r.call.name, r.call.args], sort_keys=True, default=str)
    digest = hashlib.sha256(call.encode()).hexdigest()[:16]
    return record_key(turn_key, kind, state.get("steps", 1), index, digest)


def _fallback_note(exc: PlannerUnavailable) -> str:
    return TIMEOUT_NOTE if isinstance(exc, PlannerTimeout) else FAILURE_NOTE


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
