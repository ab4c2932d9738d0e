"""scan_changes: what changed between the latest security scan and the one before (or a given one)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from store.findings import FindingStore
from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus, UserFacingError
from tools.security.views import FindingView, finding_view, findings_table, severity_summary


class ScanChangesInput(ToolInput):
    since_scan_id: str | None = Field(
        default=None, description="Compare with this scan; the one before the latest when omitted."
    )
    account: str | None = Field(
        default=None, description="AWS account id; the latest scan's account when omitted."
    )


class ScanChangesResult(ToolResult):
    latest_scan_id: str | None = None
    previous_scan_id: str | None = None
    new: list[FindingView] = Field(default_factory=list)
    resolved: list[FindingView] = Field(default_factory=list)
    still_open: int = 0


def _when(at: datetime | None) -> str:
    return at.isoformat(timespec="minutes") if at is not None else "?"


class ScanChanges(ReadOnlyTool[ScanChangesInput, ScanChangesResult]):
    name: ClassVar[str] = "scan_changes"
    description: ClassVar[str] = (
        "What changed since the last security scan: findings that are new and findings that were resolved "
        "between the latest scan and the previous one (or a given scan). Reads recorded scans only."
    )
    input_model: ClassVar[type[ToolInput]] = ScanChangesInput
    result_model: ClassVar[type[ToolResult]] = ScanChangesResult

    def run(self, ctx: ToolContext, args: ScanChangesInput) -> ScanChangesResult:
        store = FindingStore(ctx.store)
        if args.account:
            ctx.require_account(args.account)
        latest_any = store.last_scan(args.account, accounts=ctx.allowed_accounts)
        result = ScanChangesResult()
        if latest_any is None:
            result.status = ToolStatus.NO_DATA
            result.message = "No security scan has run yet" + (
                f" for account {args.account}" if args.account else ""
            )
            result.message += ". Run security_scan first."
            return result
        scans = store.scans(account=latest_any.account, limit=200)
        latest = scans[0]
        if args.since_scan_id:
            previous = store.get_scan(args.since_scan_id)
            if previous is None or previous.account != latest.account:
                raise UserFacingError(f"No scan '{args.since_scan_id}' of account {latest.account}.")
        else:
            previous = scans[1] if len(scans) > 1 else None
        changes = store.changes(latest, previous)
        result.latest_scan_id = latest.id
        result.previous_scan_id = previous.id if previous else None
        result.new = [finding_view(f) for f in changes.new]
        result.resolved = [finding_view(f) for f in changes.resolved]
        result.still_open = changes.still_open
        if previous is None:
            result.message = (
                f"Only one scan so far ({latest.id} at {_when(latest.finished_at)}): "
                f"{severity_summary(result.new, 'finding')} found, all new."
            )
        else:
            parts = []
            parts.append(severity_summary(result.new, "new finding") if result.new else "no new findings")
            parts.append(f"{len(result.resolved)} resolved" if result.resolved else "none resolved")
            result.message = (
                f"Since {previous.id} ({_when(previous.finished_at)}) "
                f"to {latest.id} ({_when(latest.finished_at)}): "
                + "; ".join(parts)
                + f"; {result.still_open} still open."
            )
        if result.new:
            result.tables.append(findings_table(result.new, "New findings"))
        if result.resolved:
            result.tables.append(findings_table(result.resolved, "Resolved findings"))
        return result
