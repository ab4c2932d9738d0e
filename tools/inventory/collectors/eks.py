"""EKS clusters.

eks_cluster attributes: version (Kubernetes minor version, "1.29"), status, endpoint_public,
endpoint_private, public_access_cidrs, secrets_encryption (a KMS key encrypts Kubernetes secrets),
logging_enabled (control-plane log types turned on: api, audit, authenticator, controllerManager,
scheduler), role_arn.
"""

from __future__ import annotations

from typing import Any

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource


def _cluster(c: dict[str, Any], region: str) -> Resource:
    vpc = c.get("resourcesVpcConfig") or {}
    enabled: list[str] = []
    for setup in (c.get("logging") or {}).get("clusterLogging", []):
        if setup.get("enabled"):
            enabled.extend(setup.get("types", []))
    encrypted = any("secrets" in (e.get("resources") or []) for e in c.get("encryptionConfig") or [])
    return Resource(
        type="eks_cluster",
        id=c["name"],
        name=c["name"],
        region=region,
        arn=c.get("arn"),
        attributes={
            "version": c.get("version"),
            "status": c.get("status"),
            "endpoint_public": bool(vpc.get("endpointPublicAccess", True)),
            "endpoint_private": bool(vpc.get("endpointPrivateAccess", False)),
            "public_access_cidrs": list(vpc.get("publicAccessCidrs") or ["0.0.0.0/0"]),
            "secrets_encryption": encrypted,
            "logging_enabled": sorted(set(enabled)),
            "role_arn": c.get("roleArn"),
        },
        tags=dict(c.get("tags") or {}),
    )


def collect_clusters(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    eks = aws.client("eks", region)
    names: list[str] = []
    for page in eks.get_paginator("list_clusters").paginate():
        names.extend(page["clusters"])
    if lookup:
        names = [n for n in names if n == lookup or lookup.endswith(f":cluster/{n}")]
    return [_cluster(eks.describe_cluster(name=n)["cluster"], region) for n in names]
