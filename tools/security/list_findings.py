"""list_findings: read the findings recorded by earlier security scans."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from store.findings import FindingStore
from tools.base import Fix, ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus, fixes_from
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
