"""S3 bucket readable or writable by anyone, through its ACL or its bucket policy.

Reads the normalised `s3_bucket` attributes: acl_grants, policy, public_access_block and
account_public_access_block. Public Access Block settings are honoured the way S3 applies them
(the stricter of the account and the bucket setting): IgnorePublicAcls makes public ACL grants
ineffective and RestrictPublicBuckets does the same for public policies.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tools.inventory.resources import Resource, ResourceType
from tools.security.rule import FSBP, PCI_DSS, SOC2, Rule, Severity, Violation

PUBLIC_GRANTEES = ("AllUsers", "AuthenticatedUsers")

# A statement limited by one of these keys only admits a fixed set of callers or networks,
# which is how S3 itself decides that a policy is not public.
RESTRICTING_CONDITION_KEYS = frozenset(
    {
        "aws:sourceip",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:userid",
        "s3:dataaccesspointaccount",
        "s3:dataaccesspointarn",
        # Key policies limit callers the same way.
        "kms:calleraccount",
    }
)


def _is_wildcard_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        values = aws if isinstance(aws, list) else [aws]
        return "*" in values
    return False


def _condition_restricts(condition: Any) -> bool:
    if not isinstance(condition, dict):
        return False
    for operator_block in condition.values():
        if isinstance(operator_block, dict) and any(
            str(key).lower() in RESTRICTING_CONDITION_KEYS for key in operator_block
        ):
            return True
    return False


def public_policy_actions(policy: dict[str, Any] | None) -> list[str]:
    """Actions a bucket policy allows to everyone, without a restricting condition."""
    if not policy:
        return []
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    actions: list[str] = []
    for st in statements:
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        if not _is_wildcard_principal(st.get("Principal")) or _condition_restricts(st.get("Condition")):
            continue
        action = st.get("Action", "*")
        actions.extend(action if isinstance(action, list) else [action])
    return actions


def effective_block(attributes: dict[str, Any]) -> dict[str, bool]:
    """Block Public Access as S3 enforces it: a setting is on when the bucket or the account has it."""
    bucket = attributes.get("public_access_block") or {}
    account = attributes.get("account_public_access_block") or {}
    return {k: bool(bucket.get(k)) or bool(account.get(k)) for k in {*bucket, *account}}


def public_acl_grants(grants: list[dict[str, Any]] | None) -> list[str]:
    return [
        f"{g.get('permission', '?')} to {g['grantee']}"
        for g in grants or []
        if g.get("grantee") in PUBLIC_GRANTEES
    ]


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
