"""Customer-managed IAM policy granting "*" on "*" that is attached to someone.

Reads the normalised `iam_policy` attributes document (parsed JSON) and attachment_count.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, SOC2, Rule, Severity, Violation


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def grants_full_admin(document: dict[str, Any] | None) -> bool:
    """True when one Allow statement allows every action on every resource, without conditions."""
    statements = _as_list((document or {}).get("Statement"))
    for st in statements:
        if not isinstance(st, dict) or st.get("Effect") != "Allow" or st.get("Condition"):
            continue
        if "*" in _as_list(st.get("Action")) and "*" in _as_list(st.get("Resource")):
            return True
    return False


class FullAdminPolicy(Rule):
    id: ClassVar[str] = "iam-policy-full-admin"
    title: ClassVar[str] = 'IAM policy allows "*:*" and is attached'
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "iam_policy"
    description: ClassVar[str] = (
        'A customer-managed policy allows every action on every resource ("Action": "*", "Resource": "*") '
        "and is attached to a user, group or role."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.16",),
        FSBP: ("IAM.1",),
        SOC2: ("CC6.3", "CC1.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_customer_attached_policy_no_administrative_privileges",)
    remediation: ClassVar[str] = (
        "Replace the policy with one that lists the actions and resources the holders need (IAM Access "
        "Analyzer can generate one from CloudTrail activity), then detach the wildcard policy."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if not int(attrs.get("attachment_count") or 0) or not grants_full_admin(attrs.get("document")):
            return None
        n = int(attrs["attachment_count"])
        return Violation(
            detail=f"Policy {resource.name} allows *:* and is attached to "
            f"{n} identit{'y' if n == 1 else 'ies'}."
        )
