"""ElastiCache Multi-AZ is off.

All nodes may sit in one Availability Zone.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import Severity
from tools.security.rule_kinds import SettingRule


class CacheNotMultiAz(SettingRule):
    id: ClassVar[str] = "elasticache-multi-az"
    title: ClassVar[str] = "ElastiCache Multi-AZ is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "elasticache_replication_group"
    description: ClassVar[str] = "All nodes may sit in one Availability Zone."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("elasticache_redis_cluster_multi_az_enabled",)
    remediation: ClassVar[str] = "Enable Multi-AZ with replicas in other zones."
    attribute: ClassVar[str] = "multi_az"
    passing: ClassVar[tuple[object, ...]] = ("enabled",)
    failure: ClassVar[str] = "Replication group {name}: Multi-AZ is {value}."
