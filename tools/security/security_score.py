"""security_score: compliance score per framework, from the findings of the latest scans."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import ClassVar

from pydantic import BaseModel, Field

from store.finding_types import FindingStatus
from store.findings import FindingStore
from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus, UserFacingError
from tools.presentation import Table
from tools.security.rule import CIS_AWS, FRAMEWORKS, FSBP, PCI_DSS, SOC2
from tools.security.rules import rules_for

_ALIASES: dict[str, str] = {
    "cis": CIS_AWS,
    "pci": PCI_DSS,
    "soc": SOC2,
    "fsbp": FSBP,
    "foundational": FSBP,
    "aws": FSBP,
}
MAX_FAILING_ROWS = 40


def resolve_framework(name: str) -> str:
    wanted = re.sub(r"[^a-z0-9]", "", name.lower())
    for framework in FRAMEWORKS:
        if wanted and wanted in re.sub(r"[^a-z0-9]", "", framework.lower()):
            return framework
    for alias, framework in _ALIASES.items():
        if wanted.startswith(alias):
            return framework
    raise UserFacingError(
        f"Unknown framework '{name}'. Known: {', '.join(FRAMEWORKS)} (or cis, fsbp, pci, soc2)."
    )


def _control_key(control: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", control) if p)


class SecurityScoreInput(ToolInput):
    framework: str | None = Field(
        default=None, description="cis, fsbp, pci or soc2 (or the full name); every framework when omitted."
    )


class FailingControl(BaseModel):
    control: str
    rules: list[str]
    open_findings: int


class FrameworkScore(BaseModel):
    framework: str
    controls: int
    passed: int
    failed: int
    score_pct: float
    failing: list[FailingControl] = Field(default_factory=list)


class SecurityScoreResult(ToolResult):
    scores: list[FrameworkScore] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    suppressed: int = 0
    last_scan_id: str | None = None


class SecurityScore(ReadOnlyTool[SecurityScoreInput, SecurityScoreResult]):
    name: ClassVar[str] = "security_score"
    description: ClassVar[str] = (
        "Compliance score per framework (CIS AWS Foundations Benchmark, AWS Foundational Security Best "
        "Practices, PCI DSS, SOC 2): the share of the controls CloudPilot checks that have no open finding, "
        "with the failing controls. Reads the recorded scans; does not call AWS."
    )
    input_model: ClassVar[type[ToolInput]] = SecurityScoreInput
    result_model: ClassVar[type[ToolResult]] = SecurityScoreResult

    def run(self, ctx: ToolContext, args: SecurityScoreInput) -> SecurityScoreResult:
        frameworks = [resolve_framework(args.framework)] if args.framework else list(FRAMEWORKS)
        store = FindingStore(ctx.store)
        scans = store.scans(limit=200, accounts=ctx.allowed_accounts)
        result = SecurityScoreResult(last_scan_id=scans[0].id if scans else None)
        if not scans:
            result.status = ToolStatus.NO_DATA
            result.message = "No security scan has run yet. Run security_scan first."
            return result
        services = sorted({s for scan in scans for s in scan.services})
        rules = rules_for(services)
        now = ctx.clock.now()
        open_by_rule: dict[str, int] = defaultdict(int)
        seen = ctx.allowed_accounts
        for f in store.list(status=FindingStatus.OPEN.value, limit=100_000, now=now, accounts=seen):
            open_by_rule[f.rule_id] += 1
        result.services = services
        result.suppressed = len(
            store.list(status=FindingStatus.SUPPRESSED.value, limit=100_000, now=now, accounts=seen)
        )
        for framework in frameworks:
            controls: dict[str, list[str]] = defaultdict(list)
            for rule in rules:
                for control in rule.compliance.get(framework, ()):
                    controls[control].append(rule.id)
            if not controls:
                continue
            failing = [
                FailingControl(control=c, rules=ids, open_findings=sum(open_by_rule[r] for r in ids))
                for c, ids in sorted(controls.items(), key=lambda kv: _control_key(kv[0]))
                if any(open_by_rule[r] for r in ids)
            ]
            passed = len(controls) - len(failing)
            result.scores.append(
                FrameworkScore(
                    framework=framework,
                    controls=len(controls),
                    passed=passed,
                    failed=len(failing),
                    score_pct=round(100.0 * passed / len(controls), 1),
                    failing=failing,
                )
            )
        if not result.scores:
            result.status = ToolStatus.NO_DATA
            result.message = (
                f"No rule for {', '.join(frameworks)} covers the scanned services ({', '.join(services)})."
            )
            return result
        parts = [
            f"{s.framework}: {s.score_pct:g}% ({s.passed} of {s.controls} controls pass)"
            for s in result.scores
        ]
        note = (
            f" {result.suppressed} suppressed finding(s) count as accepted risk." if result.suppressed else ""
        )
        result.message = (
            "; ".join(parts)
            + f". Based on the controls CloudPilot checks automatically, over {', '.join(services)}.{note}"
        )
        result.tables = [
            Table(
                title="Compliance score",
                columns=["Framework", "Score %", "Passed", "Failed", "Controls"],
                rows=[[s.framework, s.score_pct, s.passed, s.failed, s.controls] for s in result.scores],
                numeric=[1, 2, 3, 4],
            )
        ]
        focus = result.scores[0] if len(result.scores) == 1 else None
        if focus is not None and focus.failing:
            result.tables.append(
                Table(
                    title=f"Failing controls: {focus.framework}",
                    columns=["Control", "Rules", "Open findings"],
                    rows=[
                        [c.control, ", ".join(c.rules), c.open_findings]
                        for c in focus.failing[:MAX_FAILING_ROWS]
                    ],
                    numeric=[2],
                )
            )
        return result
