"""Does a planner's decision match what a case expects?

- Calls: the planned calls must match one expected call set exactly, in any order: as many
  calls, each paired with a different expected call of the same tool.
- Arguments: the expected ``args`` are a subset of the call's, after the arguments the call left
  out are filled with the tool's defaults (leaving ``period`` out of cost_query is asking for
  last month). Strings compare case-insensitively (and trimmed), numbers by value (``22``
  matches ``22.0`` and ``"22"``), lists as sets, mappings recursively as subsets, an expected
  ``null`` matches a missing or null argument, and ``{contains: "disk"}`` (or a list of phrases)
  matches a free-text argument that contains each phrase, case-insensitively.
- Direct answers: ``expect_no_call`` needs no calls; ``expect_answer_contains`` needs each
  phrase in the answer, case-insensitively.
"""

from __future__ import annotations

from itertools import permutations
from typing import Any

from agent.evaluation.cases import Case, ExpectedCall
from agent.planner.base import PlannedCall, PlannerDecision, ToolSpec

_MISSING = object()


def args_match(expected: Any, actual: Any) -> bool:
    if _is_contains(expected):
        if not isinstance(actual, str):
            return False
        phrases = expected["contains"] if isinstance(expected["contains"], list) else [expected["contains"]]
        return all(str(p).casefold() in actual.casefold() for p in phrases)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        return all(args_match(v, actual.get(k, _MISSING)) for k, v in expected.items())
    if expected is None:
        return actual is None or actual is _MISSING
    if actual is _MISSING:
        return False
    if isinstance(expected, list):
        items = actual if isinstance(actual, list | tuple | set) else [actual]
        return {_key(v) for v in expected} == {_key(v) for v in items}
    return bool(_scalar(expected) == _scalar(actual))


def call_matches(expected: ExpectedCall, actual: PlannedCall) -> bool:
    return expected.tool == actual.name and args_match(expected.args, actual.args)


def calls_match(expected: list[ExpectedCall], actual: list[PlannedCall]) -> bool:
    if len(expected) != len(actual):
        return False
    return any(
        all(call_matches(e, a) for e, a in zip(expected, order, strict=True))
        for order in permutations(actual)
    )


def with_defaults(calls: list[PlannedCall], tools: list[ToolSpec]) -> list[PlannedCall]:
    """The calls with every argument they left out set to the tool's default."""
    defaults = {t.name: _defaults(t) for t in tools}
    return [c.model_copy(update={"args": {**defaults.get(c.name, {}), **c.args}}) for c in calls]


def judge(case: Case, decision: PlannerDecision, tools: list[ToolSpec] | None = None) -> str | None:
    """None when the decision is what the case expects, else why not (one line).

    With ``tools``, arguments a call left out count as the tool's defaults.
    """
    if case.expect_no_call:
        if decision.calls:
            return "expected no call"
        answer = (decision.answer or "").casefold()
        missing = [p for p in case.expect_answer_contains if p.casefold() not in answer]
        if missing:
            return "answer lacks " + ", ".join(repr(p) for p in missing)
        return None
    if not decision.calls:
        return "no call made"
    made = decision.calls if tools is None else with_defaults(decision.calls, tools)
    if any(calls_match(calls, made) for calls in case.call_sets()):
        return None
    expected_tools = sorted(c.tool for c in case.expect)
    got_tools = sorted(c.name for c in decision.calls)
    return "wrong tool" if expected_tools != got_tools else "wrong arguments"


def _scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().casefold()
        try:
            return float(text)
        except ValueError:
            return text
    return value


def _key(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((str(k).casefold(), _key(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(sorted(map(repr, map(_key, value))))
    return _scalar(value)


def _is_contains(expected: Any) -> bool:
    return isinstance(expected, dict) and set(expected) == {"contains"}


def _defaults(tool: ToolSpec) -> dict[str, Any]:
    props: dict[str, Any] = tool.parameters.get("properties", {})
    return {
        name: prop["default"] for name, prop in props.items() if isinstance(prop, dict) and "default" in prop
    }
