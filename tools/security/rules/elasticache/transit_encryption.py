"""ElastiCache in-transit encryption is off.

Traffic between clients and the cache nodes is not encrypted.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, SOC2, Severity
from tools.security.rule_kinds import SettingRule


class CacheWithoutTransitEncryption(SettingRule):
    id: ClassVar[str] = "elasticache-transit-encryption"
    title: ClassVar[str] = "ElastiCache in-transit encryption is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "elasticache_replication_group"
    description: ClassVar[str] = "Traffic between clients and the cache nodes is not encrypted."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ElastiCache.5",),
        PCI_DSS: ("2.2.7", "4.2.1.1", "4.2.1"),
        SOC2: ("CC6.7",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("elasticache_redis_cluster_in_transit_encryption_enabled",)
    remediation: ClassVar[str] = (
        "Create a replication group with in-transit encryption (or enable it in preferred then "
        "required mode) and update the clients to TLS."
    )
    attribute: ClassVar[str] = "transit_encryption"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Replication group {name}: in-transit encryption is off."
