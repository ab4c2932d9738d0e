"""The one explicit tool registry. It feeds the LLM's tool schemas, the offline planner and the guard."""

from __future__ import annotations

from tools.base import AnyTool
from tools.cost.cost_anomalies import CostAnomalies
from tools.cost.cost_forecast import CostForecast
from tools.cost.cost_query import CostQuery
from tools.iac.generate_iac import GenerateIac
from tools.inventory.describe_resources import DescribeResources
from tools.knowledge.search_knowledge import SearchKnowledge
from tools.remediation.remediate import Remediate
from tools.savings.savings_opportunities import SavingsOpportunities
from tools.security.list_findings import ListFindings
from tools.security.scan_changes import ScanChanges
from tools.security.security_scan import SecurityScan
from tools.security.security_score import SecurityScore
from tools.security.suppress_finding import SuppressFinding
from tools.security.unsuppress_finding import UnsuppressFinding

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
