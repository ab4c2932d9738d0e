"""Passwords do not expire within 90 days.

The password policy does not make passwords expire within 90 days, so a leaked password stays
usable indefinitely.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation

MAX_AGE_DAYS = 90


class PasswordExpiry(Rule):
    id: ClassVar[str] = "iam-password-expiry"
    title: ClassVar[str] = "Passwords do not expire within 90 days"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "iam_password_policy"
    description: ClassVar[str] = (
        "The password policy does not make passwords expire within 90 days, so a leaked password "
        "stays usable indefinitely."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("IAM.7", "IAM.10"),
        PCI_DSS: ("8.3.6", "8.6.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "iam_password_policy_expires_passwords_within_90_days_or_less",
    )
    remediation: ClassVar[str] = (
        "Set a maximum password age of 90 days or less (aws iam update-account-password-policy "
        "--max-password-age 90), or move people to SSO."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "exists" not in attrs:
            return None
        days = attrs.get("max_age_days")
        if attrs.get("exists") and days is not None and int(days) <= MAX_AGE_DAYS:
            return None
        return Violation(
            detail="Passwords never expire." if days is None else f"Passwords expire after {days} days."
        )
