"""Collectors: read one resource type from AWS and return normalised `Resource`s.

The table is explicit; `collect` is the one entry point the tools use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tools.inventory.clients import AccountClients
from tools.inventory.collectors import cloudtrail, cloudwatch, config, ebs, iam, kms, network, s3
from tools.inventory.collectors.ec2 import collect_instances, collect_security_groups
from tools.inventory.collectors.rds import collect_db_instances
from tools.inventory.resources import GLOBAL_TYPES, AnyResourceType, Resource

# (clients of one account, region or None for global types, id/name to look up or None) -> resources
Fetch = Callable[[AccountClients, str | None, str | None], list[Resource]]


@dataclass(frozen=True)
class Collector:
    resource_type: AnyResourceType
    client_service: str
    fetch: Fetch
    permissions: tuple[str, ...]

    @property
    def is_global(self) -> bool:
        return self.resource_type in GLOBAL_TYPES


COLLECTORS: dict[AnyResourceType, Collector] = {
    "ec2_instance": Collector("ec2_instance", "ec2", collect_instances, ("ec2:DescribeInstances",)),
    "security_group": Collector(
        "security_group", "ec2", collect_security_groups, ("ec2:DescribeSecurityGroups",)
    ),
    "ebs_volume": Collector("ebs_volume", "ec2", ebs.collect_volumes, ("ec2:DescribeVolumes",)),
    "rds_instance": Collector("rds_instance", "rds", collect_db_instances, ("rds:DescribeDBInstances",)),
    "s3_bucket": Collector(
        "s3_bucket",
        "s3",
        s3.collect_buckets,
        (
            "s3:ListAllMyBuckets",
            "s3:GetBucketLocation",
            "s3:GetBucketAcl",
            "s3:GetBucketPolicy",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketVersioning",
            "s3:GetBucketTagging",
            "s3:GetBucketLogging",
        ),
    ),
    "iam_user": Collector(
        "iam_user",
        "iam",
        iam.collect_users,
        (
            "iam:ListUsers",
            "iam:GetUser",
            "iam:GetLoginProfile",
            "iam:ListMFADevices",
            "iam:ListAccessKeys",
            "iam:GetAccessKeyLastUsed",
            "iam:ListUserTags",
            "iam:ListAttachedUserPolicies",
            "iam:ListUserPolicies",
        ),
    ),
    "iam_root_user": Collector(
        "iam_root_user",
        "iam",
        iam.collect_root_user,
        ("iam:GetAccountSummary", "iam:ListVirtualMFADevices"),
    ),
    "iam_password_policy": Collector(
        "iam_password_policy", "iam", iam.collect_password_policy, ("iam:GetAccountPasswordPolicy",)
    ),
    "iam_policy": Collector(
        "iam_policy", "iam", iam.collect_policies, ("iam:ListPolicies", "iam:GetPolicyVersion")
    ),
    "s3_account_settings": Collector(
        "s3_account_settings", "s3control", s3.collect_account_settings, ("s3:GetAccountPublicAccessBlock",)
    ),
    "ebs_encryption_default": Collector(
        "ebs_encryption_default", "ec2", ebs.collect_encryption_default, ("ec2:GetEbsEncryptionByDefault",)
    ),
    "ebs_snapshot": Collector(
        "ebs_snapshot",
        "ec2",
        ebs.collect_snapshots,
        ("ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute"),
    ),
    "vpc": Collector("vpc", "ec2", network.collect_vpcs, ("ec2:DescribeVpcs", "ec2:DescribeFlowLogs")),
    "elastic_ip": Collector("elastic_ip", "ec2", network.collect_addresses, ("ec2:DescribeAddresses",)),
    "kms_key": Collector(
        "kms_key",
        "kms",
        kms.collect_keys,
        (
            "kms:ListKeys",
            "kms:ListAliases",
            "kms:DescribeKey",
            "kms:GetKeyRotationStatus",
            "kms:GetKeyPolicy",
        ),
    ),
    "cloudtrail_trail": Collector(
        "cloudtrail_trail",
        "cloudtrail",
        cloudtrail.collect_trails,
        ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "s3:GetBucketLogging"),
    ),
    "cloudtrail_account": Collector(
        "cloudtrail_account",
        "cloudtrail",
        cloudtrail.collect_account,
        ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"),
    ),
    "config_recorder": Collector(
        "config_recorder",
        "config",
        config.collect_recorders,
        (
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:DescribeDeliveryChannels",
        ),
    ),
    "cloudwatch_account": Collector(
        "cloudwatch_account",
        "cloudtrail",
        cloudwatch.collect_account,
        (
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "logs:DescribeMetricFilters",
            "cloudwatch:DescribeAlarmsForMetric",
        ),
    ),
}


def collect(
    aws: AccountClients,
    resource_type: AnyResourceType,
    region: str | None,
    lookup: str | None = None,
) -> list[Resource]:
    """Resources of one type in one region (global types: region is ignored), optionally only
    those whose id, ARN or name is `lookup`."""
    collector = COLLECTORS[resource_type]
    found = collector.fetch(aws, None if collector.is_global else region, lookup)
    if lookup:
        found = [r for r in found if r.matches(lookup)]
    for r in found:
        r.account = aws.account_id
    return found


def all_permissions() -> tuple[str, ...]:
    return tuple(sorted({p for c in COLLECTORS.values() for p in c.permissions}))
