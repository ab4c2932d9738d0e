"""The guard: decides from each tool's own metadata whether a planned call may run now.

Whatever the planner (offline rules or an LLM steered by untrusted text) emits, a call to a
mutating tool is never executed here: it is routed to a dry run and an approval request, and a
call to a tool the access policy does not allow for the turn's channel and user is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from agent.planner.base import PlannedCall, ToolSpec
from config import AccessDecision
from tools.base import AnyTool, MutatingTool, ToolInput


@dataclass(frozen=True)
class GuardedCall:
    call: PlannedCall
    tool: AnyTool
    args: ToolInput


@dataclass(frozen=True)
class RejectedCall:
    call: PlannedCall
    error: str


@dataclass
class Verdict:
    read_only: list[GuardedCall]
    mutating: list[GuardedCall]
    rejected: list[RejectedCall]
    # Refused by the access policy: reported, audited, and never sent back to the planner to repair.
    refused: list[RejectedCall] = field(default_factory=list)


def is_mutating(tool: AnyTool) -> bool:
    # Either signal is enough: a tool cannot opt out of approvals by its flag alone.
    return bool(tool.mutating) or isinstance(tool, MutatingTool) or hasattr(tool, "apply")


def tool_specs(tools: Iterable[AnyTool]) -> list[ToolSpec]:
    """What planners are told of each tool; the mutating flag is the guard's own verdict."""
    return [
        ToolSpec(
            name=t.name,
            description=t.description,
            mutating=is_mutating(t),
            parameters=t.input_model.model_json_schema(),
        )
        for t in tools
    ]


# What the access policy decides for one tool name, for this turn's channel and user.
AccessCheck = Callable[[str], AccessDecision]


def classify(
    calls: list[PlannedCall], registry: dict[str, AnyTool], access: AccessCheck | None = None
) -> Verdict:
    verdict = Verdict([], [], [])
    for call in calls:
        tool = registry.get(call.name)
        if tool is None:
            verdict.rejected.append(RejectedCall(call, f"unknown tool {call.name!r}"))
            continue
        # Before the arguments: a tool this channel may not use is refused whatever it is asked.
        decision = access(tool.name) if access is not None else None
        if decision is not None and not decision.allowed:
            verdict.refused.append(RejectedCall(call, decision.reason))
            continue
        try:
            args = tool.parse(call.args)
        except ValidationError as exc:
            verdict.rejected.append(RejectedCall(call, _explain(exc)))
            continue
        (verdict.mutating if is_mutating(tool) else verdict.read_only).append(GuardedCall(call, tool, args))
    return verdict


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"{loc}: {err['msg']}")
    return "invalid arguments: " + "; ".join(parts)
