"""list_findings: read the findings recorded by earlier security scans."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from store.findings import FindingStore
from tools.base import Fix, ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus, fixes_from
from tools.security.suppression import get_finding
from tools.security.views import FindingView, finding_view, findings_table, severity_counts, severity_summary


class ListFindingsInput(ToolInput):
    severity: Literal["critical", "high", "medium", "low"] | None = None
    service: str | None = Field(
        default=None, description="s3, ec2, iam, ebs, rds, kms, cloudtrail, cloudwatch or config"
    )
    status: Literal["open", "resolved", "suppressed"] | None = Field(
        default="open", description="None lists every status."
    )
    resource_id: str | None = None
    finding_id: str | None = Field(
        default=None, pattern=r"^f-[0-9a-f]{16}$", description="One finding, explained in full (any status)."
    )
    limit: int = Field(default=50, ge=1, le=500)


class ListFindingsResult(ToolResult):
    findings: list[FindingView] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    last_scan_id: str | None = None
    last_scan_at: str | None = None

    def fixes(self) -> list[Fix]:
        # Stored findings do not say which account is the caller's, so each one names its own.
        return fixes_from(self.findings, None)


class ListFindings(ReadOnlyTool[ListFindingsInput, ListFindingsResult]):
    name: ClassVar[str] = "list_findings"
    description: ClassVar[str] = (
        "List security findings recorded by earlier scans, filtered by severity, service, status "
        "(open by default) or resource. Does not call AWS; run security_scan for fresh results."
    )
    input_model: ClassVar[type[ToolInput]] = ListFindingsInput
    result_model: ClassVar[type[ToolResult]] = ListFindingsResult

    def run(self, ctx: ToolContext, args: ListFindingsInput) -> ListFindingsResult:
        store = FindingStore(ctx.store)
        last = store.last_scan(accounts=ctx.allowed_accounts)
        result = ListFindingsResult(
            last_scan_id=last.id if last else None,
            last_scan_at=last.finished_at.isoformat(timespec="seconds")
            if last and last.finished_at
            else None,
        )
        if last is None:
            result.status = ToolStatus.NO_DATA
            result.message = "No security scan has run yet. Run security_scan first."
            return result
        if args.finding_id:
            return _one(ctx, args.finding_id, result)
        found = store.list(
            severity=args.severity,
            service=args.service,
            status=args.status,
            resource_id=args.resource_id,
            limit=args.limit + 1,
            now=ctx.clock.now(),
            accounts=ctx.allowed_accounts,
        )
        more = len(found) > args.limit
        views = [finding_view(f) for f in found[: args.limit]]
        filters = [
            f"{k}={v}"
            for k, v in (
                ("severity", args.severity),
                ("service", args.service),
                ("status", args.status),
                ("resource", args.resource_id),
            )
            if v
        ]
        where = f" ({', '.join(filters)})" if filters else ""
        scan_note = f" Last scan {result.last_scan_id} at {result.last_scan_at}."
        if not views:
            result.status = ToolStatus.NO_DATA
            result.message = f"No findings match{where}.{scan_note}"
            return result
        noun = f"{args.status} finding" if args.status else "finding"
        result.findings = views
        result.counts = severity_counts(views)
        shown = f" (showing the first {len(views)})" if more else ""
        result.message = f"{severity_summary(views, noun)}{where}{shown}.{scan_note}"
        result.tables = [findings_table(views, "Findings" + where)]
        return result


def _one(ctx: ToolContext, finding_id: str, result: ListFindingsResult) -> ListFindingsResult:
    """One finding in full: what, where, why it matters, how to fix it, which controls."""
    view = finding_view(get_finding(ctx, finding_id, "'list findings' shows the ids (column Finding)."))
    where = f"{view.resource_id} ({view.region}{', account ' + view.account if view.account else ''})"
    lines = [f"Finding {view.id} is {view.status}: {view.severity} — {view.title} on {where}.", view.detail]
    if view.suppressed_reason:
        until = f" until {view.suppressed_until:%Y-%m-%d}" if view.suppressed_until else ""
        lines.append(f"Suppressed{until}: {view.suppressed_reason}.")
    if view.remediation:
        lines.append(f"Fix: {view.remediation}")
    if view.remediation_action:
        lines.append(f"I can do it for you after an approval: 'fix finding {view.id}'.")
    if view.compliance:
        lines.append(f"Controls: {', '.join(view.compliance)}.")
    lines.append(
        f"Rule {view.rule_id}; first seen {view.first_seen:%Y-%m-%d}, last seen {view.last_seen:%Y-%m-%d}."
    )
    result.findings = [view]
    result.counts = severity_counts([view])
    result.message = "\n".join(line for line in lines if line)
    return result
