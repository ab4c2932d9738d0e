"""Evaluation cases: the file format, its schema and the loader.

A case file is YAML, one per area::

    area: cost
    cases:
      - id: cost-001
        history: ["how much did we spend on ec2 last month"]   # earlier messages, optional
        request: "and s3?"
        expect:                      # the calls the planner should make, in any order
          - tool: cost_query
            args: {service: s3, period: last_month}   # a subset; see matching.py
        notes: "follow-up keeps the period"

Instead of ``expect``, a case may say ``expect_no_call: true`` (greetings, declines, questions
back), optionally with ``expect_answer_contains`` (phrases the direct answer must contain,
case-insensitive). ``alternatives`` lists other call sets that are just as right. How calls and
arguments are compared is described in matching.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.planner.base import ToolSpec

DEFAULT_CASES_DIR = Path(__file__).with_name("cases")

_ID = r"^[a-z0-9][a-z0-9_.-]*$"


class CaseError(ValueError):
    """A case file that cannot be read or does not follow the schema."""


class ExpectedCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tool: str = Field(min_length=1)
    # A subset of the call's arguments: see matching.args_match.
    args: dict[str, Any] = Field(default_factory=dict)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID)
    area: str = Field(default="", pattern=r"^$|" + _ID)
    history: list[str] = Field(default_factory=list)
    request: str = Field(min_length=1)
    expect: list[ExpectedCall] = Field(default_factory=list)
    alternatives: list[list[ExpectedCall]] = Field(default_factory=list)
    expect_no_call: bool = False
    expect_answer_contains: list[str] = Field(default_factory=list)
    notes: str = ""

    @model_validator(mode="after")
    def _one_expectation(self) -> Case:
        if bool(self.expect) == self.expect_no_call:
            raise ValueError("give either expect (the calls) or expect_no_call: true")
        if self.alternatives and not self.expect:
            raise ValueError("alternatives go with expect")
        if any(not alt for alt in self.alternatives):
            raise ValueError("an alternative names at least one call")
        if self.expect_answer_contains and not self.expect_no_call:
            raise ValueError("expect_answer_contains goes with expect_no_call (a direct answer)")
        return self

    def call_sets(self) -> list[list[ExpectedCall]]:
        return [self.expect, *self.alternatives] if self.expect else []


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area: str = Field(pattern=_ID)
    description: str = ""
    cases: list[Case] = Field(min_length=1)

    @model_validator(mode="after")
    def _areas(self) -> CaseFile:
        for case in self.cases:
            if case.area and case.area != self.area:
                raise ValueError(f"case {case.id}: area {case.area!r} differs from the file's {self.area!r}")
            case.area = self.area
        return self


def load_file(path: Path) -> CaseFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"{path}: {exc}") from exc
    try:
        return CaseFile.model_validate(data)
    except ValidationError as exc:
        raise CaseError(f"{path}: {_explain(exc)}") from exc


def load_cases(
    folder: Path = DEFAULT_CASES_DIR,
    areas: Iterable[str] = (),
    tools: list[ToolSpec] | None = None,
) -> list[Case]:
    """Every case under ``folder`` (*.yaml, *.yml, sorted), only ``areas`` when given.

    With ``tools``, each expected call is also checked against the tools' schemas (tool names,
    argument names, and values of enumerated arguments), so a typo in a case file is an error
    rather than a silent miss.
    """
    if not folder.is_dir():
        raise CaseError(f"{folder}: not a folder of case files")
    paths = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not paths:
        raise CaseError(f"{folder}: no case files (*.yaml)")
    cases: list[Case] = []
    seen: dict[str, Path] = {}
    for path in paths:
        for case in load_file(path).cases:
            if case.id in seen:
                raise CaseError(f"{path}: case id {case.id!r} is also in {seen[case.id].name}")
            seen[case.id] = path
            if tools is not None:
                problems = check_case(case, tools)
                if problems:
                    raise CaseError(f"{path}: case {case.id}: {'; '.join(problems)}")
            cases.append(case)
    wanted = {a.lower() for a in areas}
    if wanted:
        unknown = wanted - {c.area for c in cases}
        if unknown:
            raise CaseError(f"no cases for area(s): {', '.join(sorted(unknown))}")
        cases = [c for c in cases if c.area in wanted]
    return cases


def check_case(case: Case, tools: list[ToolSpec]) -> list[str]:
    """What in the case's expected calls no tool accepts."""
    by_name = {t.name: t for t in tools}
    problems: list[str] = []
    for calls in case.call_sets():
        for call in calls:
            spec = by_name.get(call.tool)
            if spec is None:
                problems.append(f"unknown tool {call.tool!r}")
                continue
            props: dict[str, Any] = spec.parameters.get("properties", {})
            for key, value in call.args.items():
                if key not in props:
                    problems.append(f"{call.tool} has no argument {key!r}")
                    continue
                allowed = _enum(props[key], spec.parameters.get("$defs", {}))
                if allowed is None or value is None or isinstance(value, dict):
                    continue
                values = value if isinstance(value, list) else [value]
                for v in values:
                    if str(v).casefold() not in allowed:
                        problems.append(f"{call.tool}.{key}: {v!r} is not one of {sorted(allowed)}")
    return problems


def _enum(prop: dict[str, Any], defs: dict[str, Any]) -> set[str] | None:
    """The allowed values of an enumerated argument (Literal, list of Literal, optional), else None."""
    if "$ref" in prop:
        prop = defs.get(prop["$ref"].rsplit("/", 1)[-1], {})
    if "enum" in prop:
        return {str(v).casefold() for v in prop["enum"]}
    if "const" in prop:
        return {str(prop["const"]).casefold()}
    if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
        return _enum(prop["items"], defs)
    options = prop.get("anyOf")
    if isinstance(options, list):
        found: set[str] = set()
        for option in options:
            if option.get("type") == "null":
                continue
            values = _enum(option, defs)
            if values is None:
                return None  # a free-form alternative (e.g. str)
            found |= values
        return found or None
    return None


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "file"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts[:5]) + (f" (and {len(parts) - 5} more)" if len(parts) > 5 else "")
