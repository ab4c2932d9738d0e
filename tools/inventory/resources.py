"""The normalised resource every collector produces and every rule evaluates.

What each resource type is (its service, scope, label, ids and collector) is one row of
`tools.inventory.kinds.KINDS`. The Literals below only name those rows for the type checker and
for pydantic's validation; a test keeps them in step with the table. They live here rather than
next to the table because the collectors the table points at build `Resource`s.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

# The types describe_resources lists: its input contract (the first six are its overview).
ResourceType = Literal[
    "ec2_instance",
    "security_group",
    "s3_bucket",
    "iam_user",
    "rds_instance",
    "ebs_volume",
    "vpc",
    "subnet",
    "network_acl",
    "lambda_function",
    "load_balancer",
    "iam_role",
    "dynamodb_table",
    "sqs_queue",
    "sns_topic",
    "secret",
    "ecr_repository",
    "eks_cluster",
    "cloudfront_distribution",
    "api_gateway_stage",
    "elasticache_replication_group",
    "efs_file_system",
]

# Types only the security scan reads: account-level settings and resources the inventory
# does not list.
SettingsType = Literal[
    "iam_root_user",
    "iam_password_policy",
    "iam_policy",
    "s3_account_settings",
    "ebs_encryption_default",
    "ebs_snapshot",
    "elastic_ip",
    "kms_key",
    "cloudtrail_trail",
    "cloudtrail_account",
    "config_recorder",
    "cloudwatch_account",
    "iam_inline_policy",
    "iam_account",
    "rds_snapshot",
    "guardduty_detector",
    "securityhub_hub",
    "access_analyzer",
    "account_contacts",
    "organization",
]

AnyResourceType = ResourceType | SettingsType

# The region of resources read once per account (IAM, S3 buckets, account-wide settings).
GLOBAL_REGION = "global"


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

    def matches(self, lookup: str) -> bool:
        """True when `lookup` is this resource's id, ARN or (case-insensitively) its name."""
        return lookup in (self.id, self.arn) or lookup.casefold() == self.name.casefold()


def tags_dict(tag_list: list[dict[str, Any]] | None) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value", "")) for t in tag_list or []}
