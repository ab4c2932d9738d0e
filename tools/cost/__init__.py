"""The cost tool family (cost_query, cost_anomalies, cost_forecast) and the data behind it.

Billing exports (FOCUS, CUR 2.0) loaded into DuckDB, period and service resolution; each tool's
entry module is named after the tool.
"""

from tools.cost.datastore import CostStore, Coverage, cost_store
from tools.cost.defaults import BUNDLED_SAMPLE
from tools.cost.periods import ACCEPTED_FORMS, PRESETS, Period, resolve_period
from tools.cost.services import KNOWN_SERVICES, ServiceAlias, ServiceMatch, match_service

__all__ = [
    "ACCEPTED_FORMS",
    "BUNDLED_SAMPLE",
    "KNOWN_SERVICES",
    "PRESETS",
    "CostStore",
    "Coverage",
    "Period",
    "ServiceAlias",
    "ServiceMatch",
    "cost_store",
    "match_service",
    "resolve_period",
]
