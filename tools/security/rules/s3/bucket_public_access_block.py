"""S3 bucket without Block Public Access, at neither the bucket nor the account level.

Reads the normalised `s3_bucket` attributes public_access_block and account_public_access_block.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, Rule, Severity, Violation
from tools.security.rules.s3.public_bucket import effective_block

SETTINGS = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")


class BucketPublicAccessBlock(Rule):
    id: ClassVar[str] = "s3-bucket-public-access-block"
    title: ClassVar[str] = "S3 bucket does not block public access"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        "Not all four Block Public Access settings are on for the bucket (or the account), so a future "
        "ACL or policy change can make it public."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("2.1.4",),
        FSBP: ("S3.8",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_level_public_access_block",)
    remediation: ClassVar[str] = (
        "Turn on all four Block Public Access settings on the bucket, or once for the whole account."
    )
    remediation_action: ClassVar[str | None] = "block_public_access"

    def evaluate(self, resource: Resource) -> Violation | None:
        if "public_access_block" not in resource.attributes:
            return None
        block = effective_block(resource.attributes)
        off = [s for s in SETTINGS if not block.get(s)]
        if not off:
            return None
        return Violation(
            detail=f"Bucket {resource.name}: Block Public Access off for " + ", ".join(off) + "."
        )
