"""S3 bucket ACL lets anyone list it.

The bucket ACL grants READ (list) or FULL_CONTROL to AllUsers or AuthenticatedUsers and Block
Public Access does not neutralise it, so anyone can enumerate its objects.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.exposure import PUBLIC_GRANTEES
from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation


def ignores_public_acls(resource: Resource) -> bool:
    for key in ("public_access_block", "account_public_access_block"):
        if (resource.attributes.get(key) or {}).get("ignore_public_acls"):
            return True
    return False


class BucketPublicListAcl(Rule):
    id: ClassVar[str] = "s3-bucket-public-list-acl"
    title: ClassVar[str] = "S3 bucket ACL lets anyone list it"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        "The bucket ACL grants READ (list) or FULL_CONTROL to AllUsers or AuthenticatedUsers and "
        "Block Public Access does not neutralise it, so anyone can enumerate its objects."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("S3.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_public_list_acl",)
    remediation: ClassVar[str] = (
        "Remove the public grant (aws s3api put-bucket-acl --acl private) and turn on Block Public Access."
    )
    remediation_action: ClassVar[str | None] = "block_public_access"

    def evaluate(self, resource: Resource) -> Violation | None:
        grants = resource.attributes.get("acl_grants")
        if not grants or ignores_public_acls(resource):
            return None
        public = [
            g
            for g in grants
            if g.get("grantee") in PUBLIC_GRANTEES and g.get("permission") in ("READ", "FULL_CONTROL")
        ]
        if not public:
            return None
        who = ", ".join(sorted({f"{g['permission']} to {g['grantee']}" for g in public}))
        return Violation(detail=f"Bucket {resource.name}: ACL grants {who}.")
