"""The account password policy does not require mixed character classes.

Reads the normalised `iam_password_policy` attributes exists, require_symbols, require_numbers,
require_uppercase and require_lowercase (bools).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation

CLASSES = {
    "require_uppercase": "uppercase letters",
    "require_lowercase": "lowercase letters",
    "require_numbers": "numbers",
    "require_symbols": "symbols",
}


class PasswordComplexity(Rule):
    id: ClassVar[str] = "iam-password-complexity"
    title: ClassVar[str] = "Password policy does not require complex passwords"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "iam_password_policy"
    description: ClassVar[str] = (
        "The password policy does not require uppercase, lowercase, numbers and symbols (or there is none)."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("IAM.7", "IAM.10"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "iam_password_policy_uppercase",
        "iam_password_policy_lowercase",
        "iam_password_policy_number",
        "iam_password_policy_symbol",
    )
    remediation: ClassVar[str] = (
        "Require uppercase, lowercase, numbers and symbols in the account password policy, or move people "
        "to IAM Identity Center with your identity provider's password rules."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "exists" not in attrs:
            return None
        if not attrs["exists"]:
            return Violation(
                detail="The account has no password policy, so no character classes are required."
            )
        missing = [label for key, label in CLASSES.items() if not attrs.get(key)]
        if not missing:
            return None
        return Violation(detail="The password policy does not require " + ", ".join(missing) + ".")
