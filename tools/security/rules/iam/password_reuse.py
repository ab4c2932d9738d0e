"""The account password policy lets users reuse recent passwords.

Reads the normalised `iam_password_policy` attributes exists (bool) and reuse_prevention (int).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, Rule, Severity, Violation

REMEMBERED = 24


class PasswordReuse(Rule):
    id: ClassVar[str] = "iam-password-reuse"
    title: ClassVar[str] = "Password policy allows reusing recent passwords"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "iam_password_policy"
    description: ClassVar[str] = (
        "The password policy remembers fewer than the last 24 passwords (or has none)."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.9",),
        FSBP: ("IAM.7", "IAM.10"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_password_policy_reuse_24",)
    remediation: ClassVar[str] = (
        "Set PasswordReusePrevention to 24 in the account password policy "
        "(aws iam update-account-password-policy --password-reuse-prevention 24, keeping the other settings)."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "exists" not in attrs:
            return None
        remembered = attrs.get("reuse_prevention") if attrs["exists"] else None
        if remembered is not None and int(remembered) >= REMEMBERED:
            return None
        shown = "no password policy" if not attrs["exists"] else f"reuse prevention {remembered or 'off'}"
        return Violation(detail=f"Passwords may be reused ({shown}); remember the last {REMEMBERED}.")
