"""The planner evaluation suite: cases written the way engineers type, run against a planner.

`cases` loads and validates the case files (YAML, one per area, under `cases/` or a team's own
folder), `matching` decides whether a planner's decision is what a case expects, and `runner`
plans every case (and the messages before it) with a fixed clock and reports accuracy per area
and every miss. Evaluation stops at the planner: nothing runs against a cloud, so it is fast
and deterministic with the offline planner.
"""

from __future__ import annotations

from agent.evaluation.cases import (
    DEFAULT_CASES_DIR,
    Case,
    CaseError,
    CaseFile,
    ExpectedCall,
    load_cases,
)
from agent.evaluation.runner import (
    EVAL_NOW,
    AreaScore,
    CaseResult,
    EvalReport,
    PlannerKind,
    build_eval_planner,
    evaluate,
    run_suite,
)

__all__ = [
    "DEFAULT_CASES_DIR",
    "EVAL_NOW",
    "AreaScore",
    "Case",
    "CaseError",
    "CaseFile",
    "CaseResult",
    "EvalReport",
    "PlannerKind",
    "ExpectedCall",
    "build_eval_planner",
    "evaluate",
    "load_cases",
    "run_suite",
]
