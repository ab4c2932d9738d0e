"""ElastiCache automatic failover is off.

A failed primary is not replaced by a replica automatically.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, Severity
from tools.security.rule_kinds import SettingRule


class CacheWithoutFailover(SettingRule):
    id: ClassVar[str] = "elasticache-automatic-failover"
    title: ClassVar[str] = "ElastiCache automatic failover is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "elasticache_replication_group"
    description: ClassVar[str] = "A failed primary is not replaced by a replica automatically."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ElastiCache.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("elasticache_redis_cluster_automatic_failover_enabled",)
    remediation: ClassVar[str] = "Add a replica and enable automatic failover."
    attribute: ClassVar[str] = "automatic_failover"
    passing: ClassVar[tuple[object, ...]] = ("enabled", "enabling")
    failure: ClassVar[str] = "Replication group {name}: automatic failover is {value}."
