"""Test doubles at the edges of the agent: a scripted planner (stands in for any LLM) and
tools whose side effects are observable in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from pydantic import Field

from agent.planner.base import PastTurn, PlannedCall, PlannerDecision, ToolOutcomeView, ToolSpec
from config import Clock
from tools.base import (
    ChangePlan,
    MutatingTool,
    ReadOnlyTool,
    ToolContext,
    ToolInput,
    ToolResult,
    Verification,
)


class ScriptedPlanner:
    """Emits the calls it is given for every message, whatever the text says."""

    def __init__(self, calls: list[PlannedCall] | None = None, answer: str | None = None) -> None:
        self.calls = calls or []
        self.answer = answer
        self.seen: list[str] = []

    def plan(
        self, text: str, history: list[PastTurn], tools: list[ToolSpec], now: datetime
    ) -> PlannerDecision:
        self.seen.append(text)
        return PlannerDecision(calls=list(self.calls), answer=self.answer)

    def compose(self, text: str, history: list[PastTurn], results: list[ToolOutcomeView]) -> str:
        return "\n".join(r.message for r in results)

    def repair(
        self,
        text: str,
        history: list[PastTurn],
        tools: list[ToolSpec],
        failed: PlannedCall,
        error: str,
        now: datetime,
    ) -> PlannerDecision:
        return PlannerDecision(answer=f"cannot repair: {error}")


class ChangeInput(ToolInput):
    resource_id: str
    value: int = Field(default=1, ge=0)


class ChangeResult(ToolResult):
    resource_id: str
    applied_with: str


class RecordingChange(MutatingTool[ChangeInput, ChangeResult]):
    """A mutating tool whose applications are counted, so exactly-once is observable."""

    name: ClassVar[str] = "change_thing"
    description: ClassVar[str] = "Change a thing (test double)."
    input_model = ChangeInput
    result_model = ChangeResult
    permissions: ClassVar[tuple[str, ...]] = ("test:ChangeThing",)

    def __init__(self) -> None:
        self.applied: list[str] = []
        self.planned = 0
        self.fail_apply = False
        # What the resource holds now: a plan shows it, so changing it makes an approved plan stale.
        self.current = 0

    def plan(self, ctx: ToolContext, args: ChangeInput) -> ChangePlan:
        self.planned += 1
        return ChangePlan(
            action="change_thing",
            resource_id=args.resource_id,
            summary=f"set {args.resource_id} to {args.value}",
            changes=[f"{args.resource_id}: value -> {args.value}"],
            details={"current": self.current},
        )

    def apply(
        self, ctx: ToolContext, args: ChangeInput, plan: ChangePlan, idempotency_key: str
    ) -> ChangeResult:
        if self.fail_apply:
            raise RuntimeError("backend exploded")
        self.applied.append(idempotency_key)
        return ChangeResult(
            message=f"changed {args.resource_id}", resource_id=args.resource_id, applied_with=idempotency_key
        )

    def verify(self, ctx: ToolContext, args: ChangeInput, plan: ChangePlan) -> Verification:
        return Verification(ok=bool(self.applied), message="value is set")


class EchoInput(ToolInput):
    text: str = ""


class EchoResult(ToolResult):
    text: str


class Echo(ReadOnlyTool[EchoInput, EchoResult]):
    name: ClassVar[str] = "echo"
    description: ClassVar[str] = "Echo (test double)."
    input_model = EchoInput
    result_model = EchoResult

    def run(self, ctx: ToolContext, args: EchoInput) -> EchoResult:
        return EchoResult(message=f"echo: {args.text}", text=args.text)


def call(name: str, **args: Any) -> PlannedCall:
    return PlannedCall(name=name, args=args)


class ManualClock(Clock):
    """A real-time clock a test can move forward, for expiry without waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)
