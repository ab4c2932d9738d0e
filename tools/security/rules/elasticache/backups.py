"""ElastiCache automatic backups are off.

No automatic snapshots are kept, so data cannot be restored after a failure.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation


class CacheWithoutBackups(Rule):
    id: ClassVar[str] = "elasticache-backups"
    title: ClassVar[str] = "ElastiCache automatic backups are off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "elasticache_replication_group"
    description: ClassVar[str] = (
        "No automatic snapshots are kept, so data cannot be restored after a failure."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ElastiCache.1",),
        PCI_DSS: ("10.3.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("elasticache_redis_cluster_backup_enabled",)
    remediation: ClassVar[str] = "Set a snapshot retention limit of at least 7 days."

    def evaluate(self, resource: Resource) -> Violation | None:
        days = resource.attributes.get("snapshot_retention")
        if days is None or int(days) > 0:
            return None
        return Violation(detail=f"Replication group {resource.name}: automatic backups are off.")
