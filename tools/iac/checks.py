"""Every check a piece of code goes through, and the report that comes out.

validate (format's own parser and schema) -> map the declared AWS resources to normalised
Resources -> run the same security rules as live scans -> optional Checkov.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.finding_types import FindingData
from tools.base import ToolContext
from tools.iac.checkov_signal import is_advisory
from tools.iac.mapping.cloudformation import map_cloudformation
from tools.iac.mapping.common import Mapped
from tools.iac.mapping.terraform import map_terraform
from tools.iac.model import FILENAMES, CheckRun, IacFormat, Issue, Level
from tools.iac.validate.cloudformation import CfnLinter
from tools.iac.validate.kubernetes import K8sSchemas, validate_kubernetes
from tools.iac.validate.terraform import parse_hcl, validate_terraform
from tools.security.engine import evaluate
from tools.security.rules import all_rules

CHECKOV_TIMEOUT_S = 120
# The separate environment of the independent checkers (checkov conflicts with our pytest).
CHECKS_VENV = Path(__file__).resolve().parents[2] / ".venv-checks"


@dataclass
class IacEnv:
    """The validators' loaded state (cfn-lint rules, Kubernetes schemas), kept in `ctx.services`."""

    cfn: CfnLinter = field(default_factory=CfnLinter)
    k8s: K8sSchemas = field(default_factory=K8sSchemas)
    # Path of a `checkov` executable installed in its own environment, if any.
    checkov: str | None = None

    def warm_up(self) -> None:
        """Load every validator now (python-hcl2 builds its parser tables on its very first use)."""
        self.cfn.warm_up()
        self.k8s.warm_up()
        parse_hcl("warm = true\n")


def env_for(ctx: ToolContext) -> IacEnv:
    """The context's validator state, loaded on first use unless one was injected (tests share one)."""
    env = ctx.services.iac_env
    if env is None:
        env = IacEnv(checkov=find_checkov())
        ctx.services.iac_env = env
    return env


def find_checkov() -> str | None:
    """Checkov from the project's .venv-checks (scripts/setup_checks.sh), else from PATH."""
    local = CHECKS_VENV / "bin" / "checkov"
    return str(local) if local.is_file() else shutil.which("checkov")


@dataclass
class Report:
    fmt: IacFormat
    runs: list[CheckRun] = field(default_factory=list)
    findings: list[FindingData] = field(default_factory=list)
    resources_checked: int = 0
    uncovered: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Parsed and schema-valid (security aside)."""
        return all(r.passed for r in self.runs if r.check not in ("security", "pod-security", "checkov"))

    @property
    def ok(self) -> bool:
        return bool(self.runs) and not self.errors()

    def errors(self) -> list[Issue]:
        return [i for r in self.runs for i in r.errors]

    def warnings(self) -> list[Issue]:
        return [i for r in self.runs for i in r.issues if i.level == Level.WARNING]


def _security_run(mapped: Mapped) -> tuple[CheckRun, list[FindingData]]:
    rules = all_rules()
    findings = evaluate(mapped.resources, rules)
    types = {r.type for r in mapped.resources}
    applicable = [r for r in rules if r.resource_type in types]
    run = CheckRun("security", "CloudPilot security rules")
    run.detail = f"{len(applicable)} of {len(rules)} rules applied to {len(mapped.resources)} resources" + (
        f"; no rule covers {len(mapped.uncovered)} others" if mapped.uncovered else ""
    )
    for f in findings:
        # Low-severity findings (hygiene such as versioning) are reported but do not fail the code.
        level = Level.WARNING if f.severity == "low" else Level.ERROR
        run.issues.append(
            Issue("security", f"{f.rule_id} ({f.severity}): {f.detail}", level=level, location=f.resource_id)
        )
    return run, findings


def _checkov(env: IacEnv, code: str, fmt: IacFormat) -> CheckRun | None:
    """Checkov, when installed in its own environment: it pins packaging<24 and can't share ours."""
    if not env.checkov:
        return None
    run = CheckRun("checkov", "Checkov")
    framework = {"terraform": "terraform", "cloudformation": "cloudformation", "kubernetes": "kubernetes"}[
        fmt
    ]
    with tempfile.TemporaryDirectory(prefix="cloudpilot-iac-") as tmp:
        path = Path(tmp) / FILENAMES[fmt]
        path.write_text(code, encoding="utf-8")
        try:
            proc = subprocess.run(
                [
                    env.checkov,
                    "-f",
                    str(path),
                    "--framework",
                    framework,
                    "-o",
                    "json",
                    "--compact",
                    "--quiet",
                ],
                capture_output=True,
                text=True,
                timeout=CHECKOV_TIMEOUT_S,
                check=False,
            )
            report: Any = json.loads(proc.stdout or "{}")
        except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
            run.skipped = True
            run.detail = f"could not run: {type(exc).__name__}"
            return run
    reports = report if isinstance(report, list) else [report]
    for rep in reports:
        failed = ((rep or {}).get("results") or {}).get("failed_checks") or []
        for check in failed:
            # A high-signal failure fails the code; advisory ones (checkov_signal.ADVISORY) warn.
            check_id = str(check.get("check_id"))
            run.issues.append(
                Issue(
                    "checkov",
                    f"{check_id}: {check.get('check_name')}",
                    level=Level.WARNING if is_advisory(check_id) else Level.ERROR,
                    location=str(check.get("resource", "")),
                )
            )
    run.detail = (
        f"{len(run.errors)} high-signal and {len(run.issues) - len(run.errors)} advisory failed checks"
    )
    return run


def check_code(env: IacEnv, code: str, fmt: IacFormat, region: str = "us-east-1") -> Report:
    report = Report(fmt)
    mapped: Mapped | None = None
    if fmt == "terraform":
        doc, runs = validate_terraform(code)
        report.runs += runs
        if doc is not None:
            mapped = map_terraform(doc, region)
    elif fmt == "cloudformation":
        template, runs = env.cfn.lint(code, region)
        report.runs += runs
        if template is not None:
            mapped = map_cloudformation(template, region)
    else:
        _, runs = validate_kubernetes(code, env.k8s)
        report.runs += runs
    if mapped is not None:
        run, findings = _security_run(mapped)
        report.runs.append(run)
        report.findings = findings
        report.resources_checked = len(mapped.resources)
        report.uncovered = mapped.uncovered
    if report.runs and report.runs[0].passed:
        extra = _checkov(env, code, fmt)
        if extra is not None:
            report.runs.append(extra)
    return report
