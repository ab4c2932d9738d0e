"""The account password policy allows passwords shorter than 14 characters.

Reads the normalised `iam_password_policy` attributes exists (bool) and minimum_length (int).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, Rule, Severity, Violation

MIN_LENGTH = 14


class PasswordMinLength(Rule):
    id: ClassVar[str] = "iam-password-min-length"
    title: ClassVar[str] = "Password policy allows passwords shorter than 14 characters"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "iam_password_policy"
    description: ClassVar[str] = (
        "There is no account password policy, or it accepts IAM user passwords shorter than 14 characters."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.8",),
        FSBP: ("IAM.7", "IAM.10"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_password_policy_minimum_length_14",)
    remediation: ClassVar[str] = (
        "Set the account password policy's minimum length to 14 or more "
        "(aws iam update-account-password-policy --minimum-password-length 14, keeping the other settings)."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "exists" not in attrs:
            return None
        if not attrs["exists"]:
            return Violation(detail="The account has no password policy (AWS default: 8 characters).")
        length = attrs.get("minimum_length")
        if length is not None and int(length) >= MIN_LENGTH:
            return None
        return Violation(
            detail=f"Minimum password length is {length or 'not set'}; it should be {MIN_LENGTH}+."
        )
