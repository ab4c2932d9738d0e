"""Running cases against a planner and scoring them.

Each case is planned like a conversation: the earlier messages first (each recorded as a
`PastTurn` with the calls or answer the planner gave it, as the graph keeps them), then the
request, all with the same fixed clock so "last month" always means September 2024. The tool
specs come from the real registry through the guard, exactly what the graph gives planners.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from agent.evaluation.cases import DEFAULT_CASES_DIR, Case, CaseError, load_cases
from agent.evaluation.matching import judge
from agent.guard import tool_specs
from agent.planner.base import PastTurn, Planner, PlannerDecision, ToolSpec
from agent.planner.factory import build_planner
from agent.planner.offline import OfflinePlanner
from tools.base import UserFacingError
from tools.chat_model import ChatModelConfigError, build_chat_model
from tools.registry import TOOLS

if TYPE_CHECKING:
    from config import Settings

# The clock every case is planned at: "last month" is September 2024 (the bundled billing sample).
EVAL_NOW = datetime(2024, 10, 15, 12, 0, tzinfo=UTC)

PlannerKind = Literal["offline", "llm"]


class CallView(BaseModel):
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)


class CaseResult(BaseModel):
    id: str
    area: str
    request: str
    history: list[str] = Field(default_factory=list)
    passed: bool
    reason: str = ""  # why it missed
    expected: list[list[CallView]] = Field(default_factory=list)  # the accepted call sets
    expected_answer: list[str] = Field(default_factory=list)  # with no call: phrases it must contain
    got: list[CallView] = Field(default_factory=list)
    answer: str | None = None


class AreaScore(BaseModel):
    area: str
    cases: int
    passed: int

    @property
    def accuracy(self) -> float:
        return self.passed / self.cases if self.cases else 0.0


class EvalReport(BaseModel):
    planner: str
    now: datetime
    seconds: float
    results: list[CaseResult]

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def areas(self) -> list[AreaScore]:
        order: dict[str, list[CaseResult]] = {}
        for result in self.results:
            order.setdefault(result.area, []).append(result)
        return [
            AreaScore(area=area, cases=len(rs), passed=sum(r.passed for r in rs))
            for area, rs in order.items()
        ]

    def misses(self) -> list[CaseResult]:
        return [r for r in self.results if not r.passed]

    def summary(self) -> dict[str, Any]:
        """The machine-readable report (`cloudpilot eval --json`)."""
        return {
            "planner": self.planner,
            "now": self.now.isoformat(),
            "seconds": round(self.seconds, 3),
            "cases": self.total,
            "passed": self.passed,
            "accuracy": round(self.accuracy, 4),
            "areas": [
                {"area": a.area, "cases": a.cases, "passed": a.passed, "accuracy": round(a.accuracy, 4)}
                for a in self.areas()
            ],
            "misses": [r.model_dump(mode="json") for r in self.misses()],
        }


def registry_specs() -> list[ToolSpec]:
    """What the graph tells planners of the registry's tools."""
    return tool_specs(TOOLS)


def build_eval_planner(settings: Settings | None, kind: PlannerKind) -> Planner:
    """The offline planner, or the LLM planner from the LLM settings (an error if none is set)."""
    if kind == "offline":
        return OfflinePlanner()
    if settings is None:
        raise UserFacingError("the llm planner needs settings")
    try:
        model = build_chat_model(settings.llm)
    except ChatModelConfigError as exc:
        raise UserFacingError(f"cannot build the LLM planner: {exc}") from exc
    if model is None:
        raise UserFacingError(
            "no LLM is configured (llm.provider = 'none'): set CLOUDPILOT_LLM__PROVIDER, "
            "or use --planner offline"
        )
    return build_planner(model)


def run_suite(
    settings: Settings | None,
    planner: PlannerKind = "offline",
    cases_dir: Path | None = None,
    areas: Sequence[str] = (),
) -> EvalReport:
    """Load the cases (the bundled ones unless told), build the planner and evaluate it.

    Bad case files, an unknown area or a planner that cannot be built raise UserFacingError.
    """
    specs = registry_specs()
    try:
        cases = load_cases(cases_dir or DEFAULT_CASES_DIR, areas, tools=specs)
    except CaseError as exc:
        raise UserFacingError(str(exc)) from exc
    return evaluate(build_eval_planner(settings, planner), cases, name=planner, tools=specs)


def evaluate(
    planner: Planner,
    cases: Iterable[Case],
    *,
    name: str = "",
    tools: list[ToolSpec] | None = None,
    now: datetime = EVAL_NOW,
    progress: Callable[[CaseResult], None] | None = None,
) -> EvalReport:
    """Plan every case and judge the decision; a planner error is a miss, not a crash."""
    specs = registry_specs() if tools is None else tools
    started = time.perf_counter()
    results: list[CaseResult] = []
    for case in cases:
        result = run_case(planner, case, specs, now)
        results.append(result)
        if progress is not None:
            progress(result)
    return EvalReport(
        planner=name or type(planner).__name__,
        now=now,
        seconds=time.perf_counter() - started,
        results=results,
    )


def run_case(planner: Planner, case: Case, tools: list[ToolSpec], now: datetime) -> CaseResult:
    result = CaseResult(
        id=case.id,
        area=case.area,
        request=case.request,
        history=list(case.history),
        passed=False,
        expected=[[CallView(tool=c.tool, args=c.args) for c in calls] for calls in case.call_sets()],
        expected_answer=list(case.expect_answer_contains),
    )
    history: list[PastTurn] = []
    try:
        for text in case.history:
            earlier = planner.plan(text, history, tools, now)
            history.append(_turn(text, earlier))
        decision = planner.plan(case.request, history, tools, now)
    except Exception as exc:  # a planner that fails on a case misses it; the run goes on
        result.reason = f"planner error: {type(exc).__name__}: {exc}"
        return result
    result.got = [CallView(tool=c.name, args=c.args) for c in decision.calls]
    result.answer = decision.answer
    miss = judge(case, decision, tools)
    result.passed = miss is None
    result.reason = miss or ""
    return result


def _turn(text: str, decision: PlannerDecision) -> PastTurn:
    return PastTurn(text=text, calls=decision.calls, answer=decision.answer or "")
