"""Renders a platform-neutral Reply in a terminal with rich."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table as RichTable
from rich.text import Text

from agent.api import AuditRecord, ChainReport, Table
from agent.messages import ApprovalView, Reply
from bot.terminal.fit import FitTable


def render_reply(console: Console, reply: Reply) -> None:
    style = "" if reply.ok else "yellow"
    console.print(reply.text, style=style, markup=False, highlight=False)
    for table in reply.tables:
        console.print(rich_table(table))
    for block in reply.code:
        console.print(Syntax(block.code, block.language or "text", line_numbers=False))
    for chart in reply.charts:
        console.print(f"chart: {chart.title} -> {chart.path}", markup=False)
    if reply.citations:
        console.print("Sources:", style="bold")
        for i, c in enumerate(reply.citations, 1):
            where = f" § {c.section}" if c.section else ""
            link = f" ({c.url})" if c.url else ""
            console.print(f"  [{i}] {c.source}{where}{link}", markup=False, highlight=False)
    if reply.approval is not None and reply.approval.status == "pending":
        console.print(approval_panel(reply.approval))


def rich_table(table: Table) -> FitTable:
    """A table when it fits the console, else one record per row: ids and severities stay whole."""
    return FitTable(table.columns, table.rows, title=table.title, numeric=table.numeric)


def approval_panel(a: ApprovalView) -> Panel:
    plan: dict[str, Any] = a.plan
    lines = [f"[bold]{plan.get('summary', a.action)}[/bold]"]
    lines += [f"  • {change}" for change in plan.get("changes", [])]
    lines.append(f"Approval id: {a.id}   requested by: {a.requester}   status: {a.status}")
    if a.expires_at:
        lines.append(f"Expires: {a.expires_at:%Y-%m-%d %H:%M} UTC   approvers: {', '.join(a.approvers)}")
    lines.append(f"Approve: cloudpilot approvals approve {a.id} --as <approver>")
    lines.append(f"Reject:  cloudpilot approvals reject {a.id} --as <approver>")
    return Panel(
        "\n".join(lines), title="Approval required (dry run, nothing changed yet)", border_style="magenta"
    )


def approvals_table(items: list[ApprovalView]) -> FitTable:
    """Approval requests; the id is never cut (``approvals approve ID`` needs all of it), so a console
    too narrow for the table gets one record per request instead."""
    columns = ("id", "status", "action", "resource", "requester", "decided by", "expires (UTC)")
    rows = [
        [
            a.id,
            a.status,
            a.action,
            a.resource_id,
            a.requester,
            a.decided_by or "",
            f"{a.expires_at:%Y-%m-%d %H:%M}" if a.expires_at else "",
        ]
        for a in items
    ]
    return FitTable(columns, rows, title="Approval requests")


# The detail keys worth a glance in a listing; `--json` has all of them.
_AUDIT_DETAIL_KEYS = ("decision", "status", "ok", "verified", "reason", "error")


def audit_table(records: list[AuditRecord], title: str = "Audit log") -> RichTable:
    """One row per record, readable at 80 columns: what happened and to what share one wrapped
    column, so a long subject or reason folds instead of squeezing the rest."""
    t = RichTable(
        title=title, box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True, row_styles=["", "dim"]
    )
    t.add_column("#", justify="right", no_wrap=True)
    t.add_column("at (UTC)", no_wrap=True)
    t.add_column("kind", no_wrap=True)
    t.add_column("actor", overflow="fold", max_width=16)
    t.add_column("approval, subject, detail", overflow="fold", min_width=24)
    for r in records:
        detail = ", ".join(f"{k}={r.detail[k]}" for k in _AUDIT_DETAIL_KEYS if k in r.detail)
        what = "\n".join(part for part in (r.approval_id or "", r.subject, detail) if part)
        t.add_row(str(r.id), f"{r.at:%Y-%m-%d}\n{r.at:%H:%M:%S}", Text(r.kind), Text(r.actor), Text(what))
    return t


def chain_report_text(report: ChainReport) -> str:
    if report.ok:
        lines = [f"audit chain intact: {report.checked} records"]
        if report.head_hash:
            lines.append(f"head: {report.head_hash}")
        return "\n".join(lines)
    return (
        f"audit chain BROKEN at record {report.first_broken_id}: {report.reason}\n"
        f"{report.checked} records before it verify."
    )
