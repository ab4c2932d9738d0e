"""ElastiCache (Redis OSS / Valkey) replication groups.

elasticache_replication_group attributes: engine, transit_encryption, at_rest_encryption,
auth_token (AUTH is on), automatic_failover ("enabled"/"disabled"/...), multi_az
("enabled"/"disabled"), snapshot_retention (days; 0 = no automatic backups), member_clusters.
"""

from __future__ import annotations

from typing import Any

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource


def _group(g: dict[str, Any], region: str) -> Resource:
    return Resource(
        type="elasticache_replication_group",
        id=g["ReplicationGroupId"],
        name=g["ReplicationGroupId"],
        region=region,
        arn=g.get("ARN"),
        attributes={
            "engine": g.get("Engine", "redis"),
            "transit_encryption": bool(g.get("TransitEncryptionEnabled")),
            "at_rest_encryption": bool(g.get("AtRestEncryptionEnabled")),
            "auth_token": bool(g.get("AuthTokenEnabled")),
            "automatic_failover": str(g.get("AutomaticFailover", "disabled")).lower(),
            "multi_az": str(g.get("MultiAZ", "disabled")).lower(),
            "snapshot_retention": g.get("SnapshotRetentionLimit"),
            "member_clusters": list(g.get("MemberClusters") or []),
        },
    )


def collect_replication_groups(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    ec = aws.client("elasticache", region)
    groups: list[dict[str, Any]] = []
    for page in ec.get_paginator("describe_replication_groups").paginate():
        groups.extend(page.get("ReplicationGroups", []))
    if lookup:
        groups = [g for g in groups if lookup in (g["ReplicationGroupId"], g.get("ARN"))]
    return [_group(g, region) for g in groups]
