"""The normalised resource every collector produces and every rule evaluates."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel, Field

# The inventory types: what describe_resources lists (its input contract). Keep as is.
ResourceType = Literal[
    "ec2_instance", "security_group", "s3_bucket", "iam_user", "rds_instance", "ebs_volume"
]
RESOURCE_TYPES: tuple[ResourceType, ...] = get_args(ResourceType)

# Types only the security scan reads: account-level settings and resources the inventory
# does not list. Account-level settings are one resource per account (global) or per region.
SettingsType = Literal[
    "iam_root_user",
    "iam_password_policy",
    "iam_policy",
    "s3_account_settings",
    "ebs_encryption_default",
    "ebs_snapshot",
    "vpc",
    "elastic_ip",
    "kms_key",
    "cloudtrail_trail",
    "cloudtrail_account",
    "config_recorder",
    "cloudwatch_account",
]
SETTINGS_TYPES: tuple[SettingsType, ...] = get_args(SettingsType)

AnyResourceType = ResourceType | SettingsType
ALL_RESOURCE_TYPES: tuple[AnyResourceType, ...] = (*RESOURCE_TYPES, *SETTINGS_TYPES)

# The service a resource type belongs to, as used in scans and findings.
TYPE_SERVICE: dict[AnyResourceType, str] = {
    "ec2_instance": "ec2",
    "security_group": "ec2",
    "vpc": "ec2",
    "elastic_ip": "ec2",
    "ebs_volume": "ebs",
    "ebs_snapshot": "ebs",
    "ebs_encryption_default": "ebs",
    "s3_bucket": "s3",
    "s3_account_settings": "s3",
    "iam_user": "iam",
    "iam_root_user": "iam",
    "iam_password_policy": "iam",
    "iam_policy": "iam",
    "rds_instance": "rds",
    "kms_key": "kms",
    "cloudtrail_trail": "cloudtrail",
    "cloudtrail_account": "cloudtrail",
    "config_recorder": "config",
    "cloudwatch_account": "cloudwatch",
}

# Listed once per account rather than per region.
GLOBAL_TYPES: frozenset[AnyResourceType] = frozenset(
    {
        "s3_bucket",
        "iam_user",
        "iam_root_user",
        "iam_password_policy",
        "iam_policy",
        "s3_account_settings",
        "cloudtrail_account",
        "cloudwatch_account",
    }
)

GLOBAL_REGION = "global"

TYPE_LABELS: dict[AnyResourceType, tuple[str, str]] = {
    "ec2_instance": ("EC2 instance", "EC2 instances"),
    "security_group": ("security group", "security groups"),
    "ebs_volume": ("EBS volume", "EBS volumes"),
    "s3_bucket": ("S3 bucket", "S3 buckets"),
    "iam_user": ("IAM user", "IAM users"),
    "rds_instance": ("RDS instance", "RDS instances"),
    "iam_root_user": ("root user", "root users"),
    "iam_password_policy": ("IAM password policy", "IAM password policies"),
    "iam_policy": ("IAM policy", "IAM policies"),
    "s3_account_settings": ("S3 account setting", "S3 account settings"),
    "ebs_encryption_default": ("EBS default encryption setting", "EBS default encryption settings"),
    "ebs_snapshot": ("EBS snapshot", "EBS snapshots"),
    "vpc": ("VPC", "VPCs"),
    "elastic_ip": ("Elastic IP", "Elastic IPs"),
    "kms_key": ("KMS key", "KMS keys"),
    "cloudtrail_trail": ("CloudTrail trail", "CloudTrail trails"),
    "cloudtrail_account": ("CloudTrail account setting", "CloudTrail account settings"),
    "config_recorder": ("AWS Config recorder", "AWS Config recorders"),
    "cloudwatch_account": ("CloudWatch monitoring setting", "CloudWatch monitoring settings"),
}


# Id prefixes that name exactly one resource type, so a lookup need not search the others.
ID_PREFIXES: dict[str, AnyResourceType] = {
    "i-": "ec2_instance",
    "sg-": "security_group",
    "vol-": "ebs_volume",
    "snap-": "ebs_snapshot",
    "vpc-": "vpc",
    "eipalloc-": "elastic_ip",
    "arn:aws:s3:::": "s3_bucket",
    "arn:aws:ec2:": "ec2_instance",
    "arn:aws:iam::": "iam_user",
    "arn:aws:rds:": "rds_instance",
    "arn:aws:kms:": "kms_key",
    "arn:aws:cloudtrail:": "cloudtrail_trail",
}

# ARN shapes a plain prefix would send to the wrong type.
_ARN_PARTS: tuple[tuple[str, str, AnyResourceType], ...] = (
    ("arn:aws:ec2:", ":security-group/", "security_group"),
    ("arn:aws:ec2:", ":volume/", "ebs_volume"),
    ("arn:aws:ec2:", ":snapshot/", "ebs_snapshot"),
    ("arn:aws:ec2:", ":vpc/", "vpc"),
    ("arn:aws:iam::", ":policy/", "iam_policy"),
    ("arn:aws:iam::", ":root", "iam_root_user"),
)

T = TypeVar("T", bound=str)


def types_for_lookup(lookup: str | None, types: list[T]) -> list[T]:
    """Narrow `types` to the one an id or ARN prefix implies (security-group ARNs included)."""
    if not lookup:
        return types
    implied: str | None = next(
        (t for prefix, part, t in _ARN_PARTS if lookup.startswith(prefix) and part in lookup), None
    )
    if implied is None:
        implied = next((t for prefix, t in ID_PREFIXES.items() if lookup.startswith(prefix)), None)
    if implied is None:
        return types
    return [t for t in types if t == implied]


def type_label(resource_type: AnyResourceType, count: int = 1) -> str:
    singular, plural = TYPE_LABELS[resource_type]
    return singular if count == 1 else plural


class Resource(BaseModel):
    """One cloud resource, provider-neutral enough for rules to evaluate.

    `attributes` holds the normalised, type-specific fields rules read (documented per
    type in each collector module); `region` is the resource's home region, or "global".
    `observed_at` is when it was read: rules that judge ages (access keys, passwords)
    measure them from it, so a pinned clock gives reproducible results.
    """

    type: AnyResourceType
    id: str
    name: str
    region: str
    account: str = ""
    arn: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)
    observed_at: datetime | None = None

    @property
    def service(self) -> str:
        return TYPE_SERVICE[self.type]

    def matches(self, lookup: str) -> bool:
        """True when `lookup` is this resource's id, ARN or (case-insensitively) its name."""
        return lookup in (self.id, self.arn) or lookup.casefold() == self.name.casefold()


def tags_dict(tag_list: list[dict[str, Any]] | None) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value", "")) for t in tag_list or []}
