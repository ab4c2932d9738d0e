"""Who can reach a resource, read from its normalised attributes.

Both the security rules that judge exposure and describe_resources, which shows it, read these,
so they live with the resource model rather than in one rule.
"""

from __future__ import annotations

from typing import Any

# Sources that mean "anyone on the internet" in a security-group ingress entry.
WORLD_CIDRS = ("0.0.0.0/0", "::/0")

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


def public_acl_grants(grants: list[dict[str, Any]] | None) -> list[str]:
    """ACL grants to everyone or to any AWS account, e.g. "READ to AllUsers"."""
    return [
        f"{g.get('permission', '?')} to {g['grantee']}"
        for g in grants or []
        if g.get("grantee") in PUBLIC_GRANTEES
    ]
