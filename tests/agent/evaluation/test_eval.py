"""The planner evaluation suite: case files, matching, scoring, the offline planner's floor, the CLI."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pydantic import ValidationError

from agent.evaluation import DEFAULT_CASES_DIR, EVAL_NOW, Case, CaseError, CaseFile, evaluate, load_cases
from agent.evaluation.cases import check_case
from agent.evaluation.matching import args_match, judge
from agent.evaluation.runner import registry_specs, run_suite
from agent.planner.base import PastTurn, PlannedCall, PlannerDecision, ToolOutcomeView, ToolSpec
from bot.main import cli
from tools.registry import TOOLS
from tools.remediation.registry import ACTIONS

# The offline planner scored 66.0% (246/373) on the bundled cases when the suite was written and
# 100% (373/373) now (docs/BENCHMARKS.md); the floor is the 95% target.
OFFLINE_FLOOR = 0.95


@pytest.fixture(scope="module")
def specs() -> list[ToolSpec]:
    return registry_specs()


@pytest.fixture(scope="module")
def shipped(specs: list[ToolSpec]) -> list[Case]:
    return load_cases(DEFAULT_CASES_DIR, tools=specs)


# --------------------------------------------------------------------------- the case files


def test_every_shipped_file_follows_the_schema() -> None:
    paths = sorted(DEFAULT_CASES_DIR.glob("*.yaml"))
    assert len(paths) >= 8
    for path in paths:
        parsed = CaseFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert parsed.area == path.stem
        assert all(case.area == parsed.area for case in parsed.cases)


def test_shipped_cases_cover_every_tool_and_action(shipped: list[Case]) -> None:
    assert len(shipped) >= 300
    assert len({c.id for c in shipped}) == len(shipped)
    tools = {call.tool for case in shipped for call in case.expect}
    assert tools == {t.name for t in TOOLS}
    actions = {
        str(call.args["action"]) for case in shipped for call in case.expect if call.tool == "remediate"
    }
    assert actions == set(ACTIONS)
    assert any(case.history for case in shipped)
    assert any(case.expect_no_call for case in shipped)
    assert any(len(case.expect) > 1 for case in shipped)


def test_schema_rejects_unknown_fields_and_mixed_expectations() -> None:
    base: dict[str, Any] = {"id": "x-1", "request": "hi"}
    with pytest.raises(ValidationError):
        Case.model_validate({**base, "expect_no_call": True, "colour": "blue"})
    with pytest.raises(ValidationError):
        Case.model_validate(base)  # neither expect nor expect_no_call
    with pytest.raises(ValidationError):
        Case.model_validate({**base, "expect_no_call": True, "expect": [{"tool": "cost_query"}]})
    with pytest.raises(ValidationError):
        Case.model_validate({**base, "expect": [{"tool": "cost_query", "arguments": {}}]})
    with pytest.raises(ValidationError):
        CaseFile.model_validate({"area": "cost", "cases": [{**base, "area": "iac", "expect_no_call": True}]})


def test_cases_are_checked_against_the_tool_schemas(specs: list[ToolSpec]) -> None:
    case = Case.model_validate(
        {
            "id": "x-1",
            "request": "r",
            "expect": [
                {"tool": "cost_querry"},
                {"tool": "cost_query", "args": {"perod": "last_month"}},
                {"tool": "remediate", "args": {"action": "reboot_instance", "resource_id": "i-1"}},
                {"tool": "remediate", "args": {"action": "STOP_INSTANCE", "resource_id": "i-1"}},
            ],
        }
    )
    problems = check_case(case, specs)
    assert len(problems) == 3
    assert "unknown tool 'cost_querry'" in problems[0]
    assert "perod" in problems[1]
    assert "reboot_instance" in problems[2]


def test_loader_names_the_file_and_refuses_duplicates(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("area: a\ncases:\n- {id: a-1, request: hi, expect_no_call: true}\n")
    (tmp_path / "b.yaml").write_text("area: b\ncases:\n- {id: a-1, request: yo, expect_no_call: true}\n")
    with pytest.raises(CaseError, match="also in a.yaml"):
        load_cases(tmp_path)
    (tmp_path / "b.yaml").write_text("area: b\ncases:\n- {id: b-1, request: yo, surprise: 1}\n")
    with pytest.raises(CaseError, match="b.yaml"):
        load_cases(tmp_path)
    (tmp_path / "b.yaml").unlink()
    with pytest.raises(CaseError, match="no cases for area"):
        load_cases(tmp_path, areas=["zzz"])


# --------------------------------------------------------------------------- matching


def test_argument_matching_rules() -> None:
    assert args_match({"service": "ec2"}, {"service": "EC2", "period": "last_month"})
    assert args_match({"services": ["rds", "ec2"]}, {"services": ["EC2", "rds"]})
    assert not args_match({"services": ["ec2"]}, {"services": ["ec2", "rds"]})
    assert args_match({"params": {"port": 22}}, {"params": {"port": 22.0, "cidr": "0.0.0.0/0"}})
    assert args_match({"days": "30"}, {"days": 30})
    assert args_match({"status": None}, {})
    assert not args_match({"status": None}, {"status": "open"})
    assert not args_match({"region": "us-east-1"}, {})
    assert args_match({"query": {"contains": ["Full", "disk"]}}, {"query": "runbook for a full disk"})
    assert not args_match({"query": {"contains": "cpu"}}, {"query": "runbook for a full disk"})


def test_left_out_arguments_count_as_the_tools_defaults(specs: list[ToolSpec]) -> None:
    case = Case.model_validate(
        {"id": "x-1", "request": "r", "expect": [{"tool": "cost_forecast", "args": {"target": "month_end"}}]}
    )
    decision = PlannerDecision(calls=[PlannedCall(name="cost_forecast")])
    assert judge(case, decision, specs) is None
    assert judge(case, decision) == "wrong arguments"


# --------------------------------------------------------------------------- the runner


class ScriptedPlanner:
    """Answers each message from a script; records the history it was given."""

    def __init__(self, script: dict[str, PlannerDecision]) -> None:
        self.script = script
        self.histories: dict[str, list[PastTurn]] = {}

    def plan(
        self, text: str, history: list[PastTurn], tools: list[ToolSpec], now: datetime
    ) -> PlannerDecision:
        assert now == EVAL_NOW
        self.histories[text] = list(history)
        if text == "boom":
            raise RuntimeError("model down")
        return self.script.get(text, PlannerDecision(answer="Sorry?"))

    def compose(self, text: str, history: list[PastTurn], results: list[ToolOutcomeView]) -> str:
        return ""

    def repair(
        self,
        text: str,
        history: list[PastTurn],
        tools: list[ToolSpec],
        failed: PlannedCall,
        error: str,
        now: datetime,
    ) -> PlannerDecision:
        return PlannerDecision(answer="")


SYNTHETIC = {
    "cost.yaml": """
area: cost
cases:
  - id: c-1
    request: ec2 last month
    expect: [{tool: cost_query, args: {service: EC2, period: last_month}}]
  - id: c-2
    history: [ec2 last month]
    request: and s3?
    expect: [{tool: cost_query, args: {service: s3}}]
  - id: c-3
    request: by service
    expect: [{tool: cost_query, args: {group_by: service}}]
""",
    "chat.yaml": """
area: conversation
cases:
  - id: h-1
    request: hi
    expect_no_call: true
    expect_answer_contains: [hello]
  - id: h-2
    request: boom
    expect_no_call: true
""",
}


def _synthetic(tmp_path: Path) -> Path:
    for name, text in SYNTHETIC.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_runner_scores_a_synthetic_folder(tmp_path: Path, specs: list[ToolSpec]) -> None:
    ec2 = PlannedCall(name="cost_query", args={"service": "ec2", "period": "last_month"})
    planner = ScriptedPlanner(
        {
            "ec2 last month": PlannerDecision(calls=[ec2]),
            "and s3?": PlannerDecision(calls=[PlannedCall(name="cost_query", args={"service": "S3"})]),
            "by service": PlannerDecision(
                calls=[PlannedCall(name="cost_query", args={"group_by": "region"})]
            ),
            "hi": PlannerDecision(answer="Hello! I'm CloudPilot."),
        }
    )
    cases = load_cases(_synthetic(tmp_path), tools=specs)
    report = evaluate(planner, cases, name="scripted", tools=specs)

    assert (report.total, report.passed) == (5, 3)
    assert report.accuracy == pytest.approx(0.6)
    scores = {a.area: (a.cases, a.passed) for a in report.areas()}
    assert scores == {"conversation": (2, 1), "cost": (3, 2)}
    misses = {m.id: m for m in report.misses()}
    assert set(misses) == {"c-3", "h-2"}
    assert misses["c-3"].reason == "wrong arguments"
    assert misses["c-3"].got[0].args == {"group_by": "region"}
    assert misses["h-2"].reason.startswith("planner error: RuntimeError")
    # The follow-up was planned after the earlier message, with the calls it made.
    assert [t.calls for t in planner.histories["and s3?"]] == [[ec2]]
    summary = report.summary()
    assert summary["cases"] == 5 and summary["passed"] == 3
    assert sorted(m["id"] for m in summary["misses"]) == ["c-3", "h-2"]
    assert json.loads(json.dumps(summary)) == summary


def test_area_filter(tmp_path: Path, specs: list[ToolSpec]) -> None:
    cases = load_cases(_synthetic(tmp_path), areas=["COST"], tools=specs)
    assert {c.area for c in cases} == {"cost"}


def test_offline_planner_meets_its_floor_on_the_shipped_cases() -> None:
    report = run_suite(None, "offline")
    assert report.total >= 300
    assert report.accuracy >= OFFLINE_FLOOR, f"offline accuracy {report.accuracy:.1%}"


# --------------------------------------------------------------------------- the CLI


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, ["eval", *args], catch_exceptions=False)


# One case the offline planner passes and one it cannot (no tool reads minds), so the CLI has a
# miss to print and an accuracy below 100% whatever the shipped cases' state.
_MIXED_CASES = """area: mixed
cases:
- id: mix-001
  request: list findings
  expect:
  - {tool: list_findings}
- id: mix-002
  request: banana
  expect:
  - {tool: cost_query}
"""


def test_cli_prints_the_per_area_table(tmp_path: Path) -> None:
    result = _invoke("--planner", "offline")
    assert result.exit_code == 0, result.output
    for area in ("cost", "security", "remediation", "savings", "inventory", "iac", "knowledge", "overall"):
        assert area in result.output
    table = result.output.split("\n\n")[0]
    assert max(len(line) for line in table.splitlines()) <= 80
    (tmp_path / "mixed.yaml").write_text(_MIXED_CASES, encoding="utf-8")
    mixed = _invoke("--planner", "offline", "--cases", str(tmp_path))
    assert "request:" in mixed.output and "mix-002" in mixed.output  # the misses follow the table


def test_cli_json_area_filter_and_min_accuracy(tmp_path: Path) -> None:
    result = _invoke("--planner", "offline", "--json", "--area", "cost")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [a["area"] for a in data["areas"]] == ["cost"]
    assert data["planner"] == "offline" and data["cases"] >= 50

    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "mixed.yaml").write_text(_MIXED_CASES, encoding="utf-8")
    assert _invoke("--planner", "offline", "--cases", str(cases), "--min-accuracy", "100").exit_code == 1
    assert _invoke("--planner", "offline", "--cases", str(cases), "--min-accuracy", "1").exit_code == 0

    (tmp_path / "bad.yaml").write_text("area: x\ncases: []\n", encoding="utf-8")
    bad = _invoke("--planner", "offline", "--cases", str(tmp_path))
    assert bad.exit_code == 1 and "bad.yaml" in bad.output
