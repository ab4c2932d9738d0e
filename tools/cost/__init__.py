"""Cost data: FOCUS billing exports loaded into DuckDB, period and service resolution."""

from tools.cost.datastore import BUNDLED_SAMPLE, CostStore, Coverage, cost_store
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
