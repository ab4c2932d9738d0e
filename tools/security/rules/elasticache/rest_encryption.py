"""ElastiCache at-rest encryption is off.

Data on disk and in backups is not encrypted.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, Severity
from tools.security.rule_kinds import SettingRule


class CacheWithoutRestEncryption(SettingRule):
    id: ClassVar[str] = "elasticache-rest-encryption"
    title: ClassVar[str] = "ElastiCache at-rest encryption is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "elasticache_replication_group"
    description: ClassVar[str] = "Data on disk and in backups is not encrypted."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ElastiCache.4",),
        PCI_DSS: ("3.5.1", "8.3.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("elasticache_redis_cluster_rest_encryption_enabled",)
    remediation: ClassVar[str] = "Create a new replication group with at-rest encryption from a backup."
    attribute: ClassVar[str] = "at_rest_encryption"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Replication group {name}: at-rest encryption is off."
