"""The one explicit tool registry. It feeds the LLM's tool schemas, the offline planner and the guard."""

from __future__ import annotations

from tools.base import AnyTool

TOOLS: list[AnyTool] = []


def by_name() -> dict[str, AnyTool]:
    return {t.name: t for t in TOOLS}


def get(name: str) -> AnyTool | None:
    return by_name().get(name)
