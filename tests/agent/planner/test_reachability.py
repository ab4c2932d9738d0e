"""Lint: every tool in the registry and every remediation action is reachable by a direct command.

The example messages live next to the phrasings (routes.py rows for read-only tools,
commands.py for remediation actions and suppression); the offline planner must turn each one
into a call to its tool (and action) on its own, with no conversation before it. A new tool or
action without an example, or whose example does not reach it, fails here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.guard import tool_specs
from agent.planner.base import PlannedCall
from agent.planner.commands import COMMANDS, SUPPRESSION_EXAMPLES, Command, Example
from agent.planner.offline import OfflinePlanner
from agent.planner.routes import ROUTES
from tools.inventory.collectors.ebs import EBS_DEFAULT_ID
from tools.registry import TOOLS
from tools.remediation.registry import ACTIONS
from tools.remediation.remediate import Remediate

NOW = datetime(2024, 10, 15, tzinfo=UTC)
SPECS = tool_specs(TOOLS)
MUTATING = {spec.name for spec in SPECS if spec.mutating}
ROUTED = {route.tool: route for route in ROUTES}
BY_ACTION = {command.action: command for command in COMMANDS}
ACTION_EXAMPLES = [(c.action, e) for c in COMMANDS for e in c.examples]


def plan(text: str) -> list[PlannedCall]:
    decision = OfflinePlanner().plan(text, [], SPECS, NOW)
    return decision.calls


@pytest.mark.parametrize("name", [tool.name for tool in TOOLS])
def test_every_tool_has_an_example_that_reaches_it(name: str) -> None:
    if name == Remediate.name:
        examples = [e.text for c in COMMANDS for e in c.examples]
    elif name in MUTATING:
        examples = list(SUPPRESSION_EXAMPLES.get(name, ()))
    else:
        route = ROUTED.get(name)
        assert route is not None, f"read-only tool {name} has no row in routes.ROUTES"
        examples = list(route.examples)
    assert examples, f"{name}: no example message (routes.py row or commands.py table)"
    for text in examples:
        calls = plan(text)
        assert calls and all(c.name == name for c in calls), (
            f"{text!r} -> {[c.name for c in calls]}, not {name}"
        )


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_has_a_direct_command(action: str) -> None:
    command: Command | None = BY_ACTION.get(action)
    assert command is not None, f"remediation action {action} has no row in agent/planner/commands.py"
    assert command.examples, f"{action}: no example message"


@pytest.mark.parametrize(("action", "example"), ACTION_EXAMPLES, ids=[e.text for _, e in ACTION_EXAMPLES])
def test_each_example_plans_its_action_on_the_named_resource(action: str, example: Example) -> None:
    calls = plan(example.text)
    assert [c.name for c in calls] == [Remediate.name], (example.text, calls)
    args = calls[0].args
    assert args["action"] == action
    assert args["resource_id"] == example.resource_id
    if example.resource_id == EBS_DEFAULT_ID:
        # A per-region setting: the message names the region.
        assert example.region is not None and example.region in example.text
    else:
        assert example.resource_id.lower() in example.text.lower()
    assert args.get("params", {}) == dict(example.params)
    if example.region is not None:
        assert args["region"] == example.region
    # What the guard will check: the arguments fit the tool's input model and the action's params.
    parsed = Remediate.input_model.model_validate(args)
    ACTIONS[action]().parse_params(getattr(parsed, "params", {}))


@pytest.mark.parametrize(("action", "example"), ACTION_EXAMPLES, ids=[e.text for _, e in ACTION_EXAMPLES])
def test_negations_and_questions_change_nothing(action: str, example: Example) -> None:
    for text in (f"don't {example.text}", f"how do I {example.text}?", f"should we {example.text}?"):
        assert all(c.name not in MUTATING for c in plan(text)), text


@pytest.mark.parametrize(("action", "example"), ACTION_EXAMPLES, ids=[e.text for _, e in ACTION_EXAMPLES])
def test_polite_requests_plan_the_same(action: str, example: Example) -> None:
    for text in (f"please {example.text}", f"can you {example.text}?"):
        calls = plan(text)
        assert [(c.args["action"], c.args["resource_id"]) for c in calls] == [(action, example.resource_id)]


def test_route_rows_name_registry_tools() -> None:
    registered = {tool.name for tool in TOOLS}
    assert set(ROUTED) <= registered - MUTATING
    assert set(SUPPRESSION_EXAMPLES) <= MUTATING
