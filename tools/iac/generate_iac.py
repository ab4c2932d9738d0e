"""generate_iac: Terraform, CloudFormation or Kubernetes code from a plain-English request.

Offline it renders a catalogue of secure-by-default templates with parameters read from the
request; with an LLM configured the model writes the code and repairs it from the checks'
errors. Code is only ever shown after it was parsed, validated and run through the security
rules; code that still fails is shown marked as failing, with its errors.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus
from tools.iac.blocks import BLOCKS
from tools.iac.catalogue import TEMPLATES
from tools.iac.checks import Report
from tools.iac.insecure_asks import changed_from_request
from tools.iac.model import FILENAMES, FORMAT_LABELS, LANGUAGES, CheckRun, IacFormat, Level
from tools.iac.pipeline import Generated, NotCovered, generate
from tools.presentation import CodeBlock, Table

MAX_ISSUE_ROWS = 50

CHECK_LABELS = {
    "syntax": "Parse",
    "schema": "Schema",
    "references": "References",
    "lint": "cfn-lint",
    "consistency": "Consistency",
    "pod-security": "Pod security",
    "security": "Security rules",
    "checkov": "Checkov",
    "helm": "Helm render",
    "honour": "Explicit values",
    "resource-types": "Resource types",
}
NEXT_STEPS: dict[IacFormat, str] = {
    "terraform": "Next: `terraform init && terraform plan` in the folder holding main.tf.",
    "cloudformation": (
        "Next: `aws cloudformation deploy --template-file template.yaml --stack-name <name> "
        "--capabilities CAPABILITY_NAMED_IAM` (review the change set first)."
    ),
    "kubernetes": "Next: `kubectl apply --dry-run=server -f k8s.yaml`, then apply it.",
}


HELM_NEXT_STEP = (
    "Next: `helm lint {chart} && helm template {chart} | kubectl apply --dry-run=server -f -`, then "
    "`helm install {chart} ./{chart}` (change replicas, image and resources in values.yaml)."
)


class GenerateIacInput(ToolInput):
    request: str = Field(
        min_length=3,
        max_length=4000,
        description="What to build, in plain English (names, sizes, counts, region...)",
    )
    format: Literal["terraform", "cloudformation", "kubernetes"] | None = Field(
        default=None, description="Output format; inferred from the request when omitted"
    )
    template: str | None = Field(default=None, description="A catalogue template id, to skip matching")
    params: dict[str, Any] = Field(
        default_factory=dict, description="Template parameters overriding what the request says"
    )


class CheckView(BaseModel):
    check: str
    by: str
    result: str
    detail: str = ""


class FindingBrief(BaseModel):
    rule_id: str
    severity: str
    resource: str
    detail: str


class GenerateIacResult(ToolResult):
    format: str | None = None
    filename: str | None = None
    template: str | None = None
    source: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    passed: bool = False
    attempts: int = 0
    checks: list[CheckView] = Field(default_factory=list)
    findings: list[FindingBrief] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    closest: list[str] = Field(default_factory=list)
    blocks: list[str] = Field(default_factory=list)
    not_applied: list[str] = Field(default_factory=list)


def _result_label(run: CheckRun) -> str:
    if run.skipped:
        return "skipped"
    warnings = len(run.issues) - len(run.errors)
    if run.errors:
        return f"FAIL ({len(run.errors)})"
    return f"pass, {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "pass"


def _checks_table(report: Report) -> Table:
    rows = [[CHECK_LABELS.get(r.check, r.check), r.tool, _result_label(r), r.detail] for r in report.runs]
    return Table(
        title="Validation and security checks", columns=["Check", "By", "Result", "Detail"], rows=rows
    )


def _issues_table(report: Report) -> Table | None:
    issues = [i for r in report.runs for i in r.issues]
    if not issues:
        return None
    issues.sort(key=lambda i: i.level != Level.ERROR)
    shown = issues[:MAX_ISSUE_ROWS]
    suffix = f" (first {len(shown)} of {len(issues)})" if len(shown) < len(issues) else ""
    return Table(
        title="Issues" + suffix,
        columns=["Level", "Check", "Where", "Message"],
        rows=[[i.level.value, CHECK_LABELS.get(i.check, i.check), i.location, i.message] for i in shown],
    )


def _summary(report: Report) -> str:
    parts = []
    for run in report.runs:
        if run.skipped:
            # Said, not hidden: "Checkov: not installed (...)".
            parts.append(f"{CHECK_LABELS.get(run.check, run.check)}: {run.detail or 'skipped'}")
            continue
        mark = "✗" if run.errors else "✓"
        parts.append(f"{CHECK_LABELS.get(run.check, run.check)} {mark}")
    return ", ".join(parts)


def _message(g: Generated, filename: str, request: str) -> str:
    label = FORMAT_LABELS[g.fmt]
    if g.template is not None and g.source == "catalogue":
        what = g.template.title if label in g.template.title else f"{g.template.title}, as {label}"
    elif g.source == "blocks":
        what = f"{label} for: {', '.join(dict.fromkeys(g.blocks))}"
    else:
        what = f"{label} for your request"
    if g.chart is not None:
        what = f"Helm chart `{g.chart.name}` ({what})"
    report = g.report
    lines: list[str] = []
    if report.ok:
        warnings = len(report.warnings())
        extra = f" ({warnings} warning{'s' if warnings != 1 else ''} below)" if warnings else ""
        lines.append(f"{what} in `{filename}`: it passed every check{extra}. {_summary(report)}.")
        lines += [f"Changed from your request: {note}" for note in changed_from_request(request)]
        if g.not_applied:
            lines.append(
                "I did not apply: "
                + "; ".join(g.not_applied)
                + ". Ask again with it spelled out, or edit the code."
            )
    else:
        errors = report.errors()
        lines.append(
            f"⚠ This {label} FAILS its checks ({len(errors)} "
            f"error{'s' if len(errors) != 1 else ''}): it is the best "
            f"attempt, shown for reference only — do not apply it as is. {_summary(report)}."
        )
        lines += [f"• {issue.line()}" for issue in errors[:5]]
        if g.not_applied:
            lines.append("I did not apply: " + "; ".join(g.not_applied) + ".")
    if g.source == "llm":
        seed = f", starting from the {g.template.title} template" if g.template else ""
        lines.append(
            f"Written by the language model in {g.attempts} round{'s' if g.attempts != 1 else ''}{seed}; "
            "every round was validated and security-checked and the errors fed back."
        )
    elif g.source == "blocks":
        lines.append("Built from CloudPilot's building blocks (secure by default). Design choices:")
        lines += [f"• {d}" for b in dict.fromkeys(g.blocks) for d in _block_design(b)]
    elif g.template is not None:
        lines.append("Design choices:")
        lines += [f"• {d}" for d in g.template.design]
        shown = ", ".join(f"{k}={v}" for k, v in g.params.items() if v not in (None, [], {}))
        if shown:
            lines.append(f"Parameters: {shown}. Ask with different values to change them.")
    if g.fmt == "kubernetes":
        lines.append(
            "The AWS security rules don't apply to Kubernetes "
            "objects; pods were checked against Pod Security "
            "'restricted' instead."
        )
    elif report.uncovered:
        names = ", ".join(report.uncovered[:4]) + (", ..." if len(report.uncovered) > 4 else "")
        lines.append(f"No security rule covers {names} yet: validated only.")
    lines += g.notes
    if report.ok:
        lines.append(HELM_NEXT_STEP.format(chart=g.chart.name) if g.chart else NEXT_STEPS[g.fmt])
    return "\n".join(lines)


def _block_design(title: str) -> tuple[str, ...]:
    block = next((b for b in BLOCKS if b.title == title), None)
    return block.design if block is not None else ()


def _catalogue_list(templates: list[Any]) -> str:
    return "; ".join(f"{t.title} ({', '.join(FORMAT_LABELS[f] for f in t.formats)})" for t in templates)


class GenerateIac(ReadOnlyTool[GenerateIacInput, GenerateIacResult]):
    name: ClassVar[str] = "generate_iac"
    description: ClassVar[str] = (
        "Write infrastructure as code (Terraform, CloudFormation, "
        "Kubernetes manifests or a Helm chart) from a plain-English "
        "request such as 'write Terraform for a private S3 "
        "bucket with versioning' or 'a Kubernetes deployment "
        "for nginx with 3 replicas and a service'. The code is parsed, validated and checked against the "
        "security rules before it is shown. Changes nothing in the cloud."
    )
    input_model: ClassVar[type[ToolInput]] = GenerateIacInput
    result_model: ClassVar[type[ToolResult]] = GenerateIacResult
    permissions: ClassVar[tuple[str, ...]] = ()

    def run(self, ctx: ToolContext, args: GenerateIacInput) -> GenerateIacResult:
        try:
            g = generate(ctx, args.request, args.format, args.template, args.params)
        except NotCovered as exc:
            if exc.supported or not exc.closest and "won't substitute" in str(exc):
                return GenerateIacResult(status=ToolStatus.NO_DATA, message=str(exc), closest=exc.supported)
            near = exc.closest or list(TEMPLATES[:5])
            return GenerateIacResult(
                status=ToolStatus.NO_DATA,
                message=f"{exc} Closest templates: {_catalogue_list(near)}.",
                closest=[t.id for t in near],
            )
        filename = FILENAMES[g.fmt]
        code = [CodeBlock(language=LANGUAGES[g.fmt], code=g.code, filename=filename)]
        if g.chart is not None:
            filename = f"{g.chart.name}/"
            code = [
                CodeBlock(language="yaml", code=text, filename=f"{g.chart.name}/{path}")
                for path, text in g.chart.files
            ]
        report = g.report
        tables = [_checks_table(report)]
        issues = _issues_table(report)
        if issues is not None:
            tables.append(issues)
        return GenerateIacResult(
            status=ToolStatus.OK if report.ok else ToolStatus.ERROR,
            message=_message(g, filename, args.request),
            code=code,
            tables=tables,
            format=g.fmt,
            filename=filename,
            template=g.template.id if g.template and g.source != "blocks" else None,
            blocks=g.blocks,
            not_applied=g.not_applied,
            source=g.source,
            params=g.params,
            passed=report.ok,
            attempts=g.attempts,
            checks=[
                CheckView(check=r.check, by=r.tool, result=_result_label(r), detail=r.detail)
                for r in report.runs
            ],
            findings=[
                FindingBrief(rule_id=f.rule_id, severity=f.severity, resource=f.resource_id, detail=f.detail)
                for f in report.findings
            ],
            errors=[i.line() for i in report.errors()[:MAX_ISSUE_ROWS]],
        )
