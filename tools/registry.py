"""The one explicit tool registry. It feeds the LLM's tool schemas, the offline planner and the guard."""

from __future__ import annotations

from tools.base import AnyTool
from tools.cost_anomalies import CostAnomalies
from tools.cost_forecast import CostForecast
from tools.cost_query import CostQuery
from tools.describe_resources import DescribeResources
from tools.generate_iac import GenerateIac
from tools.list_findings import ListFindings
from tools.remediate import Remediate
from tools.savings_opportunities import SavingsOpportunities
from tools.scan_changes import ScanChanges
from tools.search_knowledge import SearchKnowledge
from tools.security_scan import SecurityScan
from tools.security_score import SecurityScore
from tools.suppress_finding import SuppressFinding
from tools.unsuppress_finding import UnsuppressFinding

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
    GenerateIac(),
    SecurityScore(),
    ScanChanges(),
    SuppressFinding(),
    UnsuppressFinding(),
]
