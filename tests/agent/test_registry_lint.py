"""Walks the registry: every tool is described, strict, and honest about changing things."""

from __future__ import annotations

import re

import pytest

from agent.guard import is_mutating
from tools.base import AnyTool, MutatingTool, ReadOnlyTool, ToolInput, ToolResult
from tools.registry import TOOLS

# API Gateway's management actions are HTTP methods: apigateway:GET only reads.
READ_VERBS = re.compile(
    r"^[a-z0-9-]+:(Describe|List|Get|Search|Lookup|Head|Select|BatchGet|Query|Scan|Simulate)|^apigateway:GET$"
)
FOUNDATION_TOOLS = {
    "describe_resources",
    "cost_query",
    "security_scan",
    "list_findings",
    "remediate",
    "search_knowledge",
}


def test_foundation_tools_registered_once() -> None:
    names = [t.name for t in TOOLS]
    assert len(names) == len(set(names))
    assert set(names) >= FOUNDATION_TOOLS


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_tool_contract(tool: AnyTool) -> None:
    assert re.fullmatch(r"[a-z][a-z0-9_]{2,40}", tool.name)
    assert len(tool.description) >= 20, "the model and the help text need a real description"
    assert issubclass(tool.input_model, ToolInput)
    assert tool.input_model.model_config.get("extra") == "forbid"
    assert issubclass(tool.result_model, ToolResult)
    schema = tool.input_model.model_json_schema()
    assert schema.get("additionalProperties") is False


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_unknown_arguments_are_refused(tool: AnyTool) -> None:
    with pytest.raises(ValueError):
        tool.parse({"definitely_not_an_argument": 1})


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_mutating_flag_matches_what_the_tool_can_do(tool: AnyTool) -> None:
    if isinstance(tool, MutatingTool):
        assert tool.mutating and is_mutating(tool)
        assert not hasattr(tool, "run"), "a mutating tool must not offer an unguarded run()"
        assert any(not READ_VERBS.match(p) for p in tool.permissions), "declare its write permissions"
    else:
        assert isinstance(tool, ReadOnlyTool)
        assert not tool.mutating and not is_mutating(tool)
        bad = [p for p in tool.permissions if not READ_VERBS.match(p)]
        assert not bad, f"read-only tool declares write permissions {bad}: mark it mutating"
