"""The offline planner: deterministic, rule-based, no LLM. The default when none is configured."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from agent.planner import answers
from agent.planner.approval_requests import approval_query
from agent.planner.base import PastTurn, PlannedCall, PlannerDecision, ToolOutcomeView, ToolSpec
from agent.planner.calls import ANOMALIES, COST, KNOWLEDGE, REMEDIATE, merge, step_back, tidy
from agent.planner.extract import Extraction, extract
from agent.planner.fixes import plan_fix, plan_remediation
from agent.planner.intents import (
    GREETING,
    Classification,
    Intent,
    block_public_requested,
    classify,
    is_follow_up,
    strip_greeting,
)
from agent.planner.routes import ROUTES, Build, Route, builders, tools_by_intent
from agent.planner.suppress import plan_suppress, plan_unsuppress


class OfflinePlanner:
    """Recognises each tool's requests in plain English and extracts their arguments.

    ``routes`` are the read-only tools it can call (routes.ROUTES unless told otherwise).
    """

    def __init__(self, routes: Sequence[Route] = ROUTES) -> None:
        self._routes = tuple(routes)
        self._builders = builders(self._routes)
        self._tool_for = tools_by_intent(self._routes)

    def plan(
        self, text: str, history: list[PastTurn], tools: list[ToolSpec], now: datetime
    ) -> PlannerDecision:
        body = strip_greeting(text)
        if not body:
            greeted = GREETING.match(text) is not None
            answer = answers.greeting_answer(tools) if greeted else answers.help_answer(tools)
            return PlannerDecision(answer=answer)
        query = approval_query(body)
        if query is not None:
            return PlannerDecision(approval_query=query)
        ex = extract(body, now.date())
        decision = self._decide(ex, classify(ex, self._routes), history, tools, now)
        return _finish(decision, tools)

    def compose(self, text: str, history: list[PastTurn], results: list[ToolOutcomeView]) -> str:
        return answers.compose(results, interpret=True)

    def repair(
        self,
        text: str,
        history: list[PastTurn],
        tools: list[ToolSpec],
        failed: PlannedCall,
        error: str,
        now: datetime,
    ) -> PlannerDecision:
        # Rules produced the arguments; asking the same rules again would produce them again.
        return PlannerDecision(answer=answers.repair_answer(failed, error, tools))

    def _decide(
        self,
        ex: Extraction,
        found: Classification,
        history: list[PastTurn],
        tools: list[ToolSpec],
        now: datetime,
    ) -> PlannerDecision:
        intent = found.intent
        if intent in (Intent.GREETING, Intent.THANKS, Intent.HELP, Intent.DECLINE):
            return PlannerDecision(answer=_simple_answer(intent, tools))
        pending = self._pending_change(history, now)
        if pending is not None and not found.explicit and _names_a_target(ex):
            # The answer to "which one?": read both messages together.
            combined = extract(f"{pending.original} {_as_target(ex, pending)}", now.date())
            return self._decide(combined, classify(combined, self._routes), history[:-1], tools, now)
        if intent == Intent.FIX:
            return plan_fix(ex, history)
        if intent == Intent.REMEDIATE:
            return plan_remediation(ex, history)
        if intent == Intent.SUPPRESS:
            return plan_suppress(ex, history)
        if intent == Intent.UNSUPPRESS:
            return plan_unsuppress(ex)
        tool = found.tool or self._tool_for.get(intent)
        previous = _previous_calls(history)
        if previous and is_follow_up(ex) and (not found.explicit or any(c.name == tool for c in previous)):
            return _follow_up(ex, previous, tools, self._builders, now)
        if tool is None:
            return PlannerDecision(answer=answers.unknown_answer(ex.original, tools))
        variants = self._builders[tool](ex)
        if isinstance(variants, str):
            return PlannerDecision(answer=variants)
        return PlannerDecision(calls=[PlannedCall(name=tool, args=tidy(tool, v)) for v in variants])

    def _pending_change(self, history: list[PastTurn], now: datetime) -> Extraction | None:
        """The previous message when it asked for a change but named no target (so I asked which)."""
        if not history or history[-1].calls:
            return None
        last = history[-1]
        previous = extract(strip_greeting(last.text), now.date())
        if classify(previous, self._routes).intent not in (Intent.FIX, Intent.REMEDIATE):
            return None
        return previous


def _simple_answer(intent: Intent, tools: list[ToolSpec]) -> str:
    if intent == Intent.GREETING:
        return answers.greeting_answer(tools)
    if intent == Intent.THANKS:
        return answers.THANKS_ANSWER
    if intent == Intent.DECLINE:
        return answers.DECLINE_ANSWER
    return answers.help_answer(tools)


def _previous_calls(history: list[PastTurn]) -> list[PlannedCall]:
    """The calls of the latest turn that made any: what a follow-up refines."""
    for turn in reversed(history):
        if turn.calls:
            return list(turn.calls)
    return []


def _follow_up(
    ex: Extraction,
    previous: list[PlannedCall],
    tools: list[ToolSpec],
    routed: dict[str, Build],
    now: datetime,
) -> PlannerDecision:
    mutating = {t.name for t in tools if t.mutating} | {REMEDIATE}
    reusable = [call for call in previous if call.name not in mutating and call.name in routed]
    if not reusable:
        return PlannerDecision(
            answer="I only repeat read-only requests. To make another change, say it in full, "
            "e.g. 'close port 22 on sg-0123abcd'."
        )
    calls: list[PlannedCall] = []
    for call in reusable:
        changes = routed[call.name](ex)
        if isinstance(changes, str):
            return PlannerDecision(answer=changes)
        for change in changes:
            stepped = ex.step_back and call.name in (COST, ANOMALIES)
            if not change and call.name != KNOWLEDGE and not stepped:
                continue
            args = merge(call.name, call.args, change, ex.original)
            merged = PlannedCall(name=call.name, args=step_back(args, now) if stepped else args)
            if merged not in calls:
                calls.append(merged)
    if not calls:
        return PlannerDecision(
            answer="What should I change from the previous request: the period, a service, a region?"
        )
    return PlannerDecision(calls=calls)


_BARE_NAME = re.compile(r"\s*[\w.-]+\s*[.!]?\s*")


def _as_target(ex: Extraction, pending: Extraction) -> str:
    """A bare name answering "which bucket?" becomes "bucket <name>" so it is read as one."""
    if ex.resources or not _BARE_NAME.fullmatch(ex.original) or re.fullmatch(r"\s*\d+\W*", ex.original):
        return ex.original
    kind = "bucket" if block_public_requested(pending.lower) else "security group"
    return f"{kind} {ex.original.strip().rstrip('.!')}"


def _names_a_target(ex: Extraction) -> bool:
    return bool(
        _BARE_NAME.fullmatch(ex.original)
        or ex.resources
        or re.search(
            r"\b(?:first|second|third|fourth|fifth|last|all|both|them|the\s+(?:bucket|security\s+group|sg)s?)\b"
            r"|#\d|^\s*\d{1,2}[.)]?\s*$",
            ex.lower,
        )
        or (ex.services and not ex.period)
    )


def _finish(decision: PlannerDecision, tools: list[ToolSpec]) -> PlannerDecision:
    """Refuse calls to tools this deployment doesn't have, and give each call an id."""
    available = {t.name for t in tools}
    for call in decision.calls:
        if call.name not in available:
            return PlannerDecision(answer=answers.unavailable_answer(call.name))
    calls = [
        call.model_copy(update={"id": call.id or f"call_{i}"}) for i, call in enumerate(decision.calls, 1)
    ]
    return PlannerDecision(calls=calls, answer=decision.answer)
