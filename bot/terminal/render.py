"""Renders a platform-neutral Reply in a terminal with rich."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table as RichTable

from agent.api import AuditRecord, Table
from agent.messages import ApprovalView, Reply


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


def rich_table(table: Table) -> RichTable:
    out = RichTable(title=table.title or None, show_lines=False)
    for i, col in enumerate(table.columns):
        out.add_column(col, justify="right" if i in table.numeric else "left", overflow="fold")
    for row in table.rows:
        out.add_row(*["" if v is None else str(v) for v in row])
    return out


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


def approvals_table(items: list[ApprovalView]) -> RichTable:
    t = RichTable(title="Approval requests")
    for col in ("id", "status", "action", "resource", "requester", "decided by", "expires (UTC)"):
        t.add_column(col)
    for a in items:
        t.add_row(
            a.id,
            a.status,
            a.action,
            a.resource_id,
            a.requester,
            a.decided_by or "",
            f"{a.expires_at:%Y-%m-%d %H:%M}" if a.expires_at else "",
        )
    return t


def audit_table(records: list[AuditRecord]) -> RichTable:
    t = RichTable(title="Audit log")
    for col in ("#", "at (UTC)", "kind", "actor", "approval", "subject", "detail"):
        t.add_column(col, overflow="fold")
    for r in records:
        detail = ", ".join(
            f"{k}={v}" for k, v in r.detail.items() if k in ("decision", "status", "ok", "reason")
        )
        t.add_row(
            str(r.id), f"{r.at:%Y-%m-%d %H:%M:%S}", r.kind, r.actor, r.approval_id or "", r.subject, detail
        )
    return t
