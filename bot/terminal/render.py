"""Renders a platform-neutral Reply in a terminal with rich, and the progress of long work."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table as RichTable
from rich.text import Text

from agent.api import AuditRecord, ChainReport, ProgressStep, Table
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


def approval_details(a: ApprovalView) -> Panel:
    """One approval request whatever its status (`approvals show`): the plan it was approved on,
    who asked, who decided, and what happened."""
    plan: dict[str, Any] = a.plan
    lines = [f"[bold]{escape(str(plan.get('summary', a.action)))}[/bold]"]
    lines += [f"  • {escape(str(change))}" for change in plan.get("changes", [])]
    lines.append(f"Action: {escape(a.action)}   resource: {escape(a.resource_id)}")
    lines.append(f"Status: [bold]{escape(a.status)}[/bold]   requested by: {escape(a.requester)}")
    if a.decided_by:
        lines.append(f"Decided by: {escape(a.decided_by)}")
    if a.expires_at:
        lines.append(f"Expires: {a.expires_at:%Y-%m-%d %H:%M} UTC")
    if a.approvers:
        lines.append(f"Approvers: {escape(', '.join(a.approvers))}")
    if a.result:
        lines.append(f"Result: {escape(str(a.result))}")
    if a.status == "pending":
        lines.append(f"Approve: cloudpilot approvals approve {a.id} --as <approver>")
        lines.append(f"Reject:  cloudpilot approvals reject {a.id} --as <approver>")
    lines.append(f"History: cloudpilot audit --approval {a.id}")
    return Panel("\n".join(lines), title=f"Approval {a.id}", border_style="magenta")


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


class ProgressLine:
    """Shows the steps of long work (a scan, an ingest) on stderr, never on stdout, so `--json`
    output and pipes stay clean.

    On a terminal it is one line redrawn in place and erased when the work is done; otherwise a
    line now and then (at most one every `every_s` seconds). Work that ends within `delay_s` shows
    nothing at all."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        delay_s: float = 0.5,
        every_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _isatty(self.stream)
        self.delay_s = delay_s
        self.every_s = every_s
        self.clock = clock
        self.started = clock()
        self._last: float | None = None
        self._drawn = False  # a line is on screen (terminal) to erase

    def __call__(self, step: ProgressStep) -> None:
        now = self.clock()
        if step.finished:
            self._finish(step)
            return
        if now - self.started < self.delay_s:
            return
        if not self.tty and self._last is not None and now - self._last < self.every_s:
            return
        self._show(step)
        self._last = now

    def close(self) -> None:
        """Erase the line on a terminal."""
        if self.tty and self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False

    def _finish(self, step: ProgressStep) -> None:
        # Say how it ended only when the steps were shown (a line log reads better with its end).
        if self._last is not None and not self.tty:
            self._show(step)
        self.close()

    def _show(self, step: ProgressStep) -> None:
        text = progress_text(step)
        if self.tty:
            width = shutil.get_terminal_size((80, 24)).columns
            self.stream.write("\r" + text[: max(10, width - 1)] + "\x1b[K")
            self._drawn = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def progress_text(step: ProgressStep) -> str:
    """'security scan 3/12: ec2 security groups in us-east-1…' (no count when the total is unknown)."""
    count = f" {step.done}/{step.total}" if step.total else (f" {step.done}" if step.done else "")
    detail = f": {step.detail}" if step.detail else ""
    return f"{step.task}{count}{detail}" + (" done" if step.finished else "…")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
