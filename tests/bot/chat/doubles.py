"""Test doubles at the agent's edges for every chat platform's tests (Slack, Teams): a planner
that shows what it remembers, and a read-only tool whose result carries every kind of
presentation."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from agent.planner.base import PastTurn, PlannerDecision, ToolSpec
from agent.runtime import Runtime
from config import Settings
from tests.agent.doubles import Echo, RecordingChange, ScriptedPlanner, call
from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult
from tools.presentation import Chart, Citation, CodeBlock, Table

# What ContextPlanner offers for a message starting with "huh" (an unclear one).
SUGGESTED = ["what did we spend last month?", "list my instances"]


class ContextPlanner(ScriptedPlanner):
    """Answers with what it remembers of the conversation; plans `calls` when it has some; offers
    `SUGGESTED` readings for a message starting with "huh"."""

    def plan(
        self, text: str, history: list[PastTurn], tools: list[ToolSpec], now: datetime
    ) -> PlannerDecision:
        self.seen.append(text)
        if self.calls:
            return PlannerDecision(calls=list(self.calls))
        if text.startswith("change "):  # so that a worker process, out of a test's reach, can be asked too
            return PlannerDecision(calls=[call("change_thing", resource_id=text.split()[1])])
        if text.startswith("huh"):
            return PlannerDecision(answer=f"Not sure what {text!r} means.", suggestions=list(SUGGESTED))
        previous = history[-1].text if history else "nothing"
        return PlannerDecision(answer=f"turn {len(history) + 1}: {text} (before that: {previous})")


def tiny_png(path: Path) -> Path:
    """A valid 1x1 PNG, so an upload carries a real image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return path


class ReportInput(ToolInput):
    rows: int = 3


class ReportResult(ToolResult):
    rows: int


class Report(ReadOnlyTool[ReportInput, ReportResult]):
    name: ClassVar[str] = "report"
    description: ClassVar[str] = "A report with a table, a chart, code and sources (test double)."
    input_model = ReportInput
    result_model = ReportResult

    def __init__(self, chart_path: Path) -> None:
        self.chart_path = chart_path

    def run(self, ctx: ToolContext, args: ReportInput) -> ReportResult:
        table = Table(
            title="Cost by service",
            columns=["service", "region", "cost_usd"],
            rows=[[f"svc-{i}", "us-east-1", 1000.5 + i] for i in range(args.rows)],
            numeric=[2],
        )
        return ReportResult(
            message="Here is the report.",
            rows=args.rows,
            tables=[table],
            charts=[Chart(title="Monthly cost", path=self.chart_path, alt_text="cost per month")],
            citations=[
                Citation(
                    source="runbooks/ssh.md",
                    section="Closing port 22",
                    url="https://example.com/runbooks/ssh#22",
                    lines=(3, 9),
                )
            ],
            code=[
                CodeBlock(
                    language="terraform",
                    code='resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}',
                    filename="main.tf",
                )
            ],
        )


def context_runtime(settings: Settings) -> Runtime:
    """The worker process's runtime in tests: the context planner and in-memory tools."""
    return Runtime.build(settings, planner=ContextPlanner(), tools=[Echo(), RecordingChange()])
