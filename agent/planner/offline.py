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
    pronoun_command,
    strip_greeting,
)
from agent.planner.off_topic import off_topic_answer
from agent.planner.routes import ROUTES, Build, Route, builders, tools_by_intent
from agent.planner.suppress import plan_suppress, plan_unsuppress
from agent.planner.yes_no import yes_no_lead


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
        refusal = off_topic_answer(body)
        if refusal is not None:
            return PlannerDecision(answer=refusal)
        ex = extract(body, now.date())
        found = classify(ex, self._routes)
        ex, found = self._reread_pronoun(body, ex, found, now)
        decision = self._compound(body, found, now) or self._decide(ex, found, history, tools, now)
        return _finish(decision, tools)

    def _compound(self, body: str, whole: Classification, now: datetime) -> PlannerDecision | None:
        """ "list buckets and check if any are public": one call per request, when each part is a
        read-only request of its own for a different tool. None when the message is one request."""
        if whole.intent in _NOT_SPLIT:
            return None
        parts = [p for p in _CLAUSES.split(body) if p and p.strip(" ?!.,")]
        if len(parts) < 2:
            return None
        calls: list[PlannedCall] = []
        tools_seen: set[str] = set()
        previous: Extraction | None = None
        for part in parts:
            ex = extract(part.strip(), now.date())
            found = classify(ex, self._routes)
            tool = found.tool or self._tool_for.get(found.intent)
            if not found.explicit or found.intent in _NOT_SPLIT or tool is None:
                return None
            if previous is not None and not ex.services and _REFERS_BACK.search(ex.lower):
                # "… and check if any are public": "any" are the buckets just named.
                ex.services = list(previous.services)
            variants = self._builders[tool](ex)
            if isinstance(variants, str):
                return None
            calls += [PlannedCall(name=tool, args=tidy(tool, v)) for v in variants]
            tools_seen.add(tool)
            previous = ex
        return PlannerDecision(calls=calls) if len(tools_seen) > 1 else None

    def _reread_pronoun(
        self, body: str, ex: Extraction, found: Classification, now: datetime
    ) -> tuple[Extraction, Classification]:
        """ "X is public, turn that off": a change to X, when only the re-read message is one."""
        changes = (Intent.FIX, Intent.REMEDIATE, Intent.DECLINE)
        reread = None if found.intent in changes else pronoun_command(body)
        if reread is None:
            return ex, found
        again = extract(reread, now.date())
        wanted = classify(again, self._routes)
        return (again, wanted) if wanted.intent in (Intent.FIX, Intent.REMEDIATE) else (ex, found)

    def compose(self, text: str, history: list[PastTurn], results: list[ToolOutcomeView]) -> str:
        composed = answers.compose(results, interpret=True)
        lead = yes_no_lead(text, results)
        return f"{lead}\n{composed}" if lead else composed

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
            return PlannerDecision(
                answer=answers.unknown_answer(ex.original, tools),
                suggestions=answers.unknown_suggestions(ex.original, tools),
            )
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


# Requests that are never split into parts: changes (one approval each), infrastructure code
# (whose "and" joins features of one resource) and anything that is not a request for data.
_NOT_SPLIT = frozenset(
    {
        Intent.FIX,
        Intent.REMEDIATE,
        Intent.DECLINE,
        Intent.SUPPRESS,
        Intent.UNSUPPRESS,
        Intent.IAC,
        Intent.GREETING,
        Intent.THANKS,
        Intent.HELP,
        Intent.UNKNOWN,
    }
)
_CLAUSES = re.compile(
    r"\s*[?;]\s*(?:(?:and|also|plus|then)\s+)*|\.\s+(?:(?:and|also|plus|then)\s+)*"
    r"|,?\s+(?:and\s+(?:also\s+|then\s+)?|also\s+|plus\s+|then\s+)",
    re.IGNORECASE,
)
_REFERS_BACK = re.compile(
    r"\b(?:them|they|those|these|it|its|any\s+(?:are|is|of\s+them)|which\s+ones?)\b", re.I
)


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
    return PlannerDecision(calls=calls, answer=decision.answer, suggestions=decision.suggestions)
