"""The offline planner sends the issue's five questions to the cost tools, with valid arguments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.guard import tool_specs
from agent.planner.offline import OfflinePlanner
from tools.registry import TOOLS

NOW = datetime(2024, 10, 15, 12, tzinfo=UTC)
SPECS = tool_specs(TOOLS)
BY_NAME = {t.name: t for t in TOOLS}


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        ("what did we spend on EC2 last month", "cost_query", {"period": "last_month", "service": "EC2"}),
        ("break down last month by service", "cost_query", {"period": "last_month", "group_by": "service"}),
        ("any cost spikes recently?", "cost_anomalies", {}),
        ("why did our bill jump yesterday?", "cost_anomalies", {"period": "yesterday"}),
        ("which accounts had unusual spend?", "cost_anomalies", {"group_by": "account"}),
        ("what will we spend this month?", "cost_forecast", {}),
        (
            "forecast the next 30 days by service",
            "cost_forecast",
            {"target": "days", "days": 30, "group_by": "service"},
        ),
        ("where can we save money?", "savings_opportunities", {}),
        (
            "any unattached volumes or old snapshots?",
            "savings_opportunities",
            {"kinds": ["unattached_volume", "old_snapshot"]},
        ),
        (
            "find idle EC2 instances in us-east-1",
            "savings_opportunities",
            {"kinds": ["idle_instance"], "regions": ["us-east-1"]},
        ),
    ],
)
def test_cost_questions_plan_cost_tools(text: str, tool: str, args: dict[str, object]) -> None:
    decision = OfflinePlanner().plan(text, [], SPECS, NOW)
    assert [(c.name, c.args) for c in decision.calls] == [(tool, args)]
    BY_NAME[tool].parse(decision.calls[0].args)


def test_definitions_stay_knowledge_questions() -> None:
    decision = OfflinePlanner().plan("what is a cost anomaly?", [], SPECS, NOW)
    assert [c.name for c in decision.calls] == ["search_knowledge"]
