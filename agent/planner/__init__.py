"""Planners: turn a chat message into tool calls (LLM or offline rules) and compose the answer."""

from agent.planner.base import (
    FixSuggestion,
    PastTurn,
    PlannedCall,
    Planner,
    PlannerConfigError,
    PlannerDecision,
    PlannerUnavailable,
    ToolOutcomeView,
    ToolSpec,
)
from agent.planner.factory import build_planner
from agent.planner.llm import LlmPlanner
from agent.planner.offline import OfflinePlanner

__all__ = [
    "FixSuggestion",
    "LlmPlanner",
    "OfflinePlanner",
    "PastTurn",
    "PlannedCall",
    "Planner",
    "PlannerConfigError",
    "PlannerDecision",
    "PlannerUnavailable",
    "ToolOutcomeView",
    "ToolSpec",
    "build_planner",
]
