"""S3 bucket readable or writable by anyone, through its ACL or its bucket policy.

Reads the normalised `s3_bucket` attributes: acl_grants, policy, public_access_block and
account_public_access_block. Public Access Block settings are honoured the way S3 applies them
(the stricter of the account and the bucket setting): IgnorePublicAcls makes public ACL grants
ineffective and RestrictPublicBuckets does the same for public policies.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tools.inventory.exposure import public_acl_grants, public_policy_actions
from tools.inventory.resources import Resource, ResourceType
from tools.security.rule import FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


def effective_block(attributes: dict[str, Any]) -> dict[str, bool]:
    """Block Public Access as S3 enforces it: a setting is on when the bucket or the account has it."""
    bucket = attributes.get("public_access_block") or {}
    account = attributes.get("account_public_access_block") or {}
    return {k: bool(bucket.get(k)) or bool(account.get(k)) for k in {*bucket, *account}}


class PublicS3Bucket(Rule):
    id: ClassVar[str] = "s3-bucket-public"
    title: ClassVar[str] = "S3 bucket is publicly accessible"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[ResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        "The bucket's ACL or bucket policy grants access to everyone (AllUsers, any "
        'authenticated AWS user, or Principal "*") and Public Access Block does not neutralise it.'
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("S3.2", "S3.3"),
        PCI_DSS: ("1.3.1", "1.4.2"),
        SOC2: ("CC6.1",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "s3_bucket_public_access",
        "s3_bucket_public_write_acl",
        "s3_bucket_policy_public_write_access",
    )
    remediation: ClassVar[str] = (
        "Turn on S3 Block Public Access for the bucket (all four settings), then remove the public "
        'ACL grants and the Principal "*" statements. Serve public content through CloudFront '
        "with origin access control instead of a public bucket."
    )
    remediation_action: ClassVar[str | None] = "block_public_access"

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        pab = effective_block(attrs)
        reasons: list[str] = []
        if not pab.get("ignore_public_acls"):
            grants = public_acl_grants(attrs.get("acl_grants"))
            if grants:
                reasons.append("ACL grants " + ", ".join(grants))
        if not pab.get("restrict_public_buckets"):
            actions = public_policy_actions(attrs.get("policy"))
            if actions:
                reasons.append(
                    "bucket policy allows " + ", ".join(sorted(set(actions))) + ' to Principal "*"'
                )
        if not reasons:
            return None
        return Violation(detail=f"Bucket {resource.name} is public: " + "; ".join(reasons) + ".")
