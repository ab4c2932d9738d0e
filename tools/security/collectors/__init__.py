"""Collectors: read one resource type from AWS and return normalised `Resource`s.

The table is explicit; `collect` is the one entry point the tools use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tools.aws import AwsClients
from tools.security.collectors.ebs import collect_volumes
from tools.security.collectors.ec2 import collect_instances, collect_security_groups
from tools.security.collectors.iam import collect_users
from tools.security.collectors.rds import collect_db_instances
from tools.security.collectors.s3 import collect_buckets
from tools.security.resources import GLOBAL_TYPES, Resource, ResourceType

# (clients, region or None for global types, id/name to look up or None) -> resources
Fetch = Callable[[AwsClients, str | None, str | None], list[Resource]]


@dataclass(frozen=True)
class Collector:
    resource_type: ResourceType
    client_service: str
    fetch: Fetch
    permissions: tuple[str, ...]

    @property
    def is_global(self) -> bool:
        return self.resource_type in GLOBAL_TYPES


COLLECTORS: dict[ResourceType, Collector] = {
    "ec2_instance": Collector("ec2_instance", "ec2", collect_instances, ("ec2:DescribeInstances",)),
    "security_group": Collector(
        "security_group", "ec2", collect_security_groups, ("ec2:DescribeSecurityGroups",)
    ),
    "ebs_volume": Collector("ebs_volume", "ec2", collect_volumes, ("ec2:DescribeVolumes",)),
    "rds_instance": Collector("rds_instance", "rds", collect_db_instances, ("rds:DescribeDBInstances",)),
    "s3_bucket": Collector(
        "s3_bucket",
        "s3",
        collect_buckets,
        (
            "s3:ListAllMyBuckets",
            "s3:GetBucketLocation",
            "s3:GetBucketAcl",
            "s3:GetBucketPolicy",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketVersioning",
            "s3:GetBucketTagging",
        ),
    ),
    "iam_user": Collector(
        "iam_user",
        "iam",
        collect_users,
        (
            "iam:ListUsers",
            "iam:GetUser",
            "iam:GetLoginProfile",
            "iam:ListMFADevices",
            "iam:ListAccessKeys",
            "iam:ListUserTags",
        ),
    ),
}


def collect(
    aws: AwsClients,
    resource_type: ResourceType,
    region: str | None,
    lookup: str | None = None,
    account: str = "",
) -> list[Resource]:
    """Resources of one type in one region (global types: region is ignored), optionally only
    those whose id, ARN or name is `lookup`."""
    collector = COLLECTORS[resource_type]
    found = collector.fetch(aws, None if collector.is_global else region, lookup)
    if lookup:
        found = [r for r in found if r.matches(lookup)]
    for r in found:
        r.account = account
    return found


def all_permissions() -> tuple[str, ...]:
    return tuple(sorted({p for c in COLLECTORS.values() for p in c.permissions}))
