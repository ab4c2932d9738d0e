"""Every check a piece of code goes through, and the report that comes out.

validate (format's own parser and schema) -> map the declared AWS resources to normalised
Resources -> run the same security rules as live scans -> Checkov from its own environment
(validate/checkov.py), reported as "not installed" when that environment is absent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from store.finding_types import FindingData
from tools.base import ToolContext
from tools.iac.mapping.cloudformation import map_cloudformation
from tools.iac.mapping.common import Mapped
from tools.iac.mapping.terraform import map_terraform
from tools.iac.model import CheckRun, IacFormat, Issue, Level
from tools.iac.validate.checkov import CheckovWorker, checkov_run, find_checks_python
from tools.iac.validate.cloudformation import CfnLinter
from tools.iac.validate.kubernetes import K8sSchemas, validate_kubernetes
from tools.iac.validate.terraform import parse_hcl, validate_terraform
from tools.security.engine import evaluate
from tools.security.rules import all_rules


@dataclass
class IacEnv:
    """The validators' loaded state (cfn-lint rules, Kubernetes schemas), kept in `ctx.services`."""

    cfn: CfnLinter = field(default_factory=CfnLinter)
    k8s: K8sSchemas = field(default_factory=K8sSchemas)
    # The Python of the environment checkov is installed in (validate/checkov.py), if any.
    checkov: str | None = None
    _checkov_worker: CheckovWorker | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def checkov_worker(self) -> CheckovWorker | None:
        """The long-lived checkov process, started on first use (None: checkov is not installed)."""
        if self.checkov is None:
            return None
        with self._lock:  # read-only tools of one step run in parallel: one process for all
            if self._checkov_worker is None:
                self._checkov_worker = CheckovWorker(self.checkov)
            return self._checkov_worker

    def warm_up(self) -> None:
        """Load every validator now (python-hcl2 builds its parser tables on its very first use)."""
        self.cfn.warm_up()
        self.k8s.warm_up()
        parse_hcl("warm = true\n")


def env_for(ctx: ToolContext) -> IacEnv:
    """The context's validator state, loaded on first use unless one was injected (tests share one)."""
    env = ctx.services.iac_env
    if env is None:
        env = IacEnv(checkov=find_checks_python(ctx.settings.iac_checks_venv))
        ctx.services.iac_env = env
    return env


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
        # A high-signal failure fails the code (and goes into the model's repair round).
        report.runs.append(checkov_run(env.checkov_worker(), code, fmt))
    return report
