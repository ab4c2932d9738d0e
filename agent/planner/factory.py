"""Building the configured planner from the one chat model the runtime built (or none)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.planner.base import Planner
from agent.planner.llm import LlmPlanner
from agent.planner.offline import OfflinePlanner

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


def build_planner(chat_model: BaseChatModel | None) -> Planner:
    """The LLM planner when a chat model is configured, else the offline route table."""
    return OfflinePlanner() if chat_model is None else LlmPlanner(chat_model)
