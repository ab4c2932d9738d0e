"""The one explicit tool registry. It feeds the LLM's tool schemas, the offline planner and the guard."""

from __future__ import annotations

from tools.base import AnyTool
from tools.cost_anomalies import CostAnomalies
from tools.cost_forecast import CostForecast
from tools.cost_query import CostQuery
from tools.describe_resources import DescribeResources
from tools.list_findings import ListFindings
from tools.remediate import Remediate
from tools.savings_opportunities import SavingsOpportunities
from tools.search_knowledge import SearchKnowledge
from tools.security_scan import SecurityScan

TOOLS: list[AnyTool] = [
    DescribeResources(),
    CostQuery(),
    SecurityScan(),
    ListFindings(),
    Remediate(),
    SearchKnowledge(),
    CostAnomalies(),
    CostForecast(),
    SavingsOpportunities(),
]


def by_name() -> dict[str, AnyTool]:
    return {t.name: t for t in TOOLS}
