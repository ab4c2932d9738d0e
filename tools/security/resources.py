"""The normalised resource every collector produces and every rule evaluates."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

ResourceType = Literal[
    "ec2_instance", "security_group", "s3_bucket", "iam_user", "rds_instance", "ebs_volume"
]
RESOURCE_TYPES: tuple[ResourceType, ...] = get_args(ResourceType)

# The service a resource type belongs to, as used in scans and findings.
TYPE_SERVICE: dict[ResourceType, str] = {
    "ec2_instance": "ec2",
    "security_group": "ec2",
    "ebs_volume": "ebs",
    "s3_bucket": "s3",
    "iam_user": "iam",
    "rds_instance": "rds",
}

# Listed once per account rather than per region.
GLOBAL_TYPES: frozenset[ResourceType] = frozenset({"s3_bucket", "iam_user"})

GLOBAL_REGION = "global"

TYPE_LABELS: dict[ResourceType, tuple[str, str]] = {
    "ec2_instance": ("EC2 instance", "EC2 instances"),
    "security_group": ("security group", "security groups"),
    "ebs_volume": ("EBS volume", "EBS volumes"),
    "s3_bucket": ("S3 bucket", "S3 buckets"),
    "iam_user": ("IAM user", "IAM users"),
    "rds_instance": ("RDS instance", "RDS instances"),
}


# Id prefixes that name exactly one resource type, so a lookup need not search the others.
ID_PREFIXES: dict[str, ResourceType] = {
    "i-": "ec2_instance",
    "sg-": "security_group",
    "vol-": "ebs_volume",
    "arn:aws:s3:::": "s3_bucket",
    "arn:aws:ec2:": "ec2_instance",
    "arn:aws:iam::": "iam_user",
    "arn:aws:rds:": "rds_instance",
}


def types_for_lookup(lookup: str | None, types: list[ResourceType]) -> list[ResourceType]:
    """Narrow `types` to the one an id or ARN prefix implies (security-group ARNs included)."""
    if not lookup:
        return types
    if lookup.startswith("arn:aws:ec2:") and ":security-group/" in lookup:
        implied: ResourceType | None = "security_group"
    else:
        implied = next((t for prefix, t in ID_PREFIXES.items() if lookup.startswith(prefix)), None)
    if implied is None:
        return types
    return [t for t in types if t == implied]


def type_label(resource_type: ResourceType, count: int = 1) -> str:
    singular, plural = TYPE_LABELS[resource_type]
    return singular if count == 1 else plural


class Resource(BaseModel):
    """One cloud resource, provider-neutral enough for rules to evaluate.

    `attributes` holds the normalised, type-specific fields rules read (documented per
    type in each collector module); `region` is the resource's home region, or "global".
    """

    type: ResourceType
    id: str
    name: str
    region: str
    account: str = ""
    arn: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def service(self) -> str:
        return TYPE_SERVICE[self.type]

    def matches(self, lookup: str) -> bool:
        """True when `lookup` is this resource's id, ARN or (case-insensitively) its name."""
        return lookup in (self.id, self.arn) or lookup.casefold() == self.name.casefold()


def tags_dict(tag_list: list[dict[str, Any]] | None) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value", "")) for t in tag_list or []}
