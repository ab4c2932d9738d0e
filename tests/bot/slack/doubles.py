"""Test doubles at the agent's edges for the Slack tests. The platform-neutral ones (the context
planner, the report tool, `tiny_png`, `context_runtime`) live in `tests/bot/chat/doubles.py`
and are re-exported here."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from agent.planner.base import PastTurn, PlannerDecision, ToolSpec
from agent.runtime import Runtime
from config import Settings
from tests.agent.doubles import ChangeInput, ChangeResult, Echo, RecordingChange, ScriptedPlanner, call
from tests.bot.chat.doubles import (
    SUGGESTED,
    ContextPlanner,
    Report,
    ReportInput,
    ReportResult,
    context_runtime,
    tiny_png,
)
from tools.base import ChangePlan, ToolContext, Verification

__all__ = [
    "SUGGESTED",
    "ContextPlanner",
    "DurableChange",
    "Report",
    "ReportInput",
    "ReportResult",
    "SlowContextPlanner",
    "context_runtime",
    "durable_runtime",
    "echo_runtime",
    "slow_context_runtime",
    "tiny_png",
]


class SlowContextPlanner(ContextPlanner):
    """The context planner taking 0.4 s a turn, so that a killed worker is caught mid-turn."""

    def plan(
        self, text: str, history: list[PastTurn], tools: list[ToolSpec], now: datetime
    ) -> PlannerDecision:
        time.sleep(0.4)
        return super().plan(text, history, tools, now)


def slow_context_runtime(settings: Settings) -> Runtime:
    return Runtime.build(settings, planner=SlowContextPlanner(), tools=[Echo(), RecordingChange()])


def echo_runtime(settings: Settings) -> Runtime:
    """One full agent turn per message with a trivial tool (the Slack benchmark's load)."""
    return Runtime.build(settings, planner=ScriptedPlanner([call("echo", text="pong")]), tools=[Echo()])


class DurableChange(RecordingChange):
    """`change_thing` whose applications are lines in a file, so they outlive a killed worker:
    the crash tests count them (exactly once) and verify reads them (recovery)."""

    def __init__(self, log_path: Path) -> None:
        super().__init__()
        self.log_path = log_path

    def apply(
        self, ctx: ToolContext, args: ChangeInput, plan: ChangePlan, idempotency_key: str
    ) -> ChangeResult:
        with self.log_path.open("a") as fh:
            fh.write(idempotency_key + "\n")
        return ChangeResult(
            message=f"changed {args.resource_id}", resource_id=args.resource_id, applied_with=idempotency_key
        )

    def verify(self, ctx: ToolContext, args: ChangeInput, plan: ChangePlan) -> Verification:
        done = self.log_path.exists() and bool(self.log_path.read_text().split())
        return Verification(ok=done, message="value is set" if done else "value is not set")


def durable_runtime(settings: Settings) -> Runtime:
    """The crash tests' worker runtime: the context planner and a change that survives a kill."""
    log_path = Path(settings.data_dir) / "changes.log"
    return Runtime.build(settings, planner=ContextPlanner(), tools=[Echo(), DurableChange(log_path)])
