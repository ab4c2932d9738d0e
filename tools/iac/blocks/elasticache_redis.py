"""ElastiCache for Redis (Valkey-compatible) replication group: encrypted at rest with the shared
CMK and in transit, an AUTH token from Secrets Manager, Multi-AZ with automatic failover, in the
private subnets behind a security group that allows 6379 from the named network only."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.blocks.security_group import group_ref, security_group
from tools.iac.features import Features
from tools.iac.hcl import Block, ref


class RedisParams(BlockParams):
    name: str = Field(default="cache", pattern=r"^[a-z][a-z0-9-]{0,39}$")
    node_type: str = Field(default="cache.t4g.small", pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
    nodes: int = Field(default=2, ge=1, le=6)
    engine_version: str = Field(default="7.1", pattern=r"^\d+(?:\.\d+)?$")
    snapshot_days: int = Field(default=7, ge=1, le=35)


class ElastiCacheRedis(BlockSpec):
    kind: ClassVar[str] = "elasticache_redis"
    title: ClassVar[str] = "ElastiCache Redis replication group"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\belasticache(?:\s+(?:for\s+)?(?:redis|valkey))?(?:\s+(?:cluster|replication\s+group))?\b",
        r"\bredis(?:\s+(?:cluster|cache|replication\s+group))?\b",
        r"\bvalkey\b",
    )
    params_model: ClassVar[type[BlockParams]] = RedisParams
    tf_type: ClassVar[str] = "aws_elasticache_replication_group"
    cfn_type: ClassVar[str] = "AWS::ElastiCache::ReplicationGroup"
    design: ClassVar[tuple[str, ...]] = (
        "Redis: encryption at rest (shared CMK) and in transit, a generated AUTH token (Terraform state / "
        "Secrets Manager, never in the code), "
        "Multi-AZ automatic failover, daily snapshots, private subnets only.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "cluster", "redis")
        if name:
            out["name"] = name.lower()
        m = re.search(r"\b(cache\.[a-z0-9]+\.[a-z0-9]+)\b", text, re.I)
        if m:
            out["node_type"] = m.group(1).lower()
        m = re.search(r"\b(\d)\s*(?:-\s*)?(?:nodes?|replicas?|cache\s+nodes?)\b", text, re.I)
        if m:
            out["nodes"] = int(m.group(1))
        m = re.search(r"\bredis\s*(?:version\s*)?(\d(?:\.\d)?)\b", text, re.I)
        if m:
            out["engine_version"] = m.group(1)
        m = re.search(r"\b(\d{1,2})\s*days?\s+(?:of\s+)?(?:snapshots?|backups?)", text, re.I)
        if m:
            out["snapshot_days"] = int(m.group(1))
        return out

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: RedisParams = u.params
        sg, _ = security_group(
            s,
            f"{u.label}_redis",
            f"{u.lid}RedisSg",
            f"Redis {p.name}: 6379 from the private network",
            [(6379, s.client_cidr(), "Redis from the private network")],
        )
        multi = p.nodes > 1
        s.providers["random"] = "~> 3.6"
        blocks = [
            *sg,
            resource(
                "aws_elasticache_subnet_group", u.label, ("name", p.name), ("subnet_ids", s.private_subnets())
            ),
            resource("random_password", f"{u.label}_auth", ("length", 32), ("special", False)),
            resource(
                "aws_elasticache_replication_group",
                u.label,
                ("replication_group_id", p.name),
                ("description", f"Redis {p.name}"),
                ("engine", "redis"),
                ("engine_version", p.engine_version),
                ("node_type", p.node_type),
                ("num_cache_clusters", p.nodes),
                ("port", 6379),
                ("automatic_failover_enabled", multi),
                ("multi_az_enabled", multi),
                ("at_rest_encryption_enabled", True),
                ("kms_key_id", s.key_arn()),
                ("transit_encryption_enabled", True),
                ("auth_token", ref(f"random_password.{u.label}_auth.result")),
                ("auto_minor_version_upgrade", True),
                ("snapshot_retention_limit", p.snapshot_days),
                ("subnet_group_name", ref(f"aws_elasticache_subnet_group.{u.label}.name")),
                ("security_group_ids", [group_ref(s, f"{u.label}_redis", f"{u.lid}RedisSg")]),
            ),
        ]
        s.output(
            f"{u.label}_endpoint",
            ref(f"aws_elasticache_replication_group.{u.label}.primary_endpoint_address"),
            "Primary endpoint.",
        )
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: RedisParams = u.params
        _, out = security_group(
            s,
            f"{u.label}_redis",
            f"{u.lid}RedisSg",
            f"Redis {p.name}: 6379 from the private network",
            [(6379, s.client_cidr(), "Redis from the private network")],
        )
        multi = p.nodes > 1
        out[f"{u.lid}SubnetGroup"] = cfn(
            "AWS::ElastiCache::SubnetGroup",
            {"Description": f"Redis {p.name}", "SubnetIds": s.private_subnets()},
        )
        out[f"{u.lid}Auth"] = cfn(
            "AWS::SecretsManager::Secret",
            {
                "Description": f"AUTH token of Redis {p.name}",
                "KmsKeyId": s.key_arn(),
                "GenerateSecretString": {"PasswordLength": 32, "ExcludePunctuation": True},
            },
        )
        out[u.lid] = cfn(
            "AWS::ElastiCache::ReplicationGroup",
            {
                "ReplicationGroupId": p.name,
                "ReplicationGroupDescription": f"Redis {p.name}",
                "Engine": "redis",
                "EngineVersion": p.engine_version,
                "CacheNodeType": p.node_type,
                "NumCacheClusters": p.nodes,
                "Port": 6379,
                "AutomaticFailoverEnabled": multi,
                "MultiAZEnabled": multi,
                "AtRestEncryptionEnabled": True,
                "KmsKeyId": s.key_arn(),
                "TransitEncryptionEnabled": True,
                "AuthToken": yamlout.sub(f"{{{{resolve:secretsmanager:${{{u.lid}Auth}}}}}}"),
                "AutoMinorVersionUpgrade": True,
                "SnapshotRetentionLimit": p.snapshot_days,
                "CacheSubnetGroupName": yamlout.ref(f"{u.lid}SubnetGroup"),
                "SecurityGroupIds": [group_ref(s, f"{u.label}_redis", f"{u.lid}RedisSg")],
            },
        )
        s.output(
            f"{u.label}_endpoint", yamlout.get_att(u.lid, "PrimaryEndPoint.Address"), "Primary endpoint."
        )
        return out
