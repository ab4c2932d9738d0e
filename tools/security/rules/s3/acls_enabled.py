"""S3 bucket ACLs are enabled.

Object Ownership is not "bucket owner enforced", so ACLs still grant access alongside the bucket
policy and objects written by other accounts may stay theirs.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation

ENFORCED = "BucketOwnerEnforced"


class BucketAclsEnabled(Rule):
    id: ClassVar[str] = "s3-bucket-acls-enabled"
    title: ClassVar[str] = "S3 bucket ACLs are enabled"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        'Object Ownership is not "bucket owner enforced", so ACLs still grant access alongside '
        "the bucket policy and objects written by other accounts may stay theirs."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("S3.12",),
        PCI_DSS: ("7.2.1", "7.2.2", "7.2.5"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_acl_prohibited",)
    remediation: ClassVar[str] = (
        "Set Object Ownership to BucketOwnerEnforced (aws s3api put-bucket-ownership-controls) "
        "after moving any access that relies on ACLs to the bucket policy."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "object_ownership" not in attrs or attrs["object_ownership"] == ENFORCED:
            return None
        setting = attrs["object_ownership"] or "not set"
        return Violation(detail=f"Bucket {resource.name}: ACLs are enabled (Object Ownership {setting}).")
