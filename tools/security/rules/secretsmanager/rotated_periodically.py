"""Secret not rotated in 90 days.

The secret's value has not changed for more than 90 days.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation, age_days

MAX_DAYS = 90


class SecretNotRotatedRecently(Rule):
    id: ClassVar[str] = "secretsmanager-not-rotated-90-days"
    title: ClassVar[str] = "Secret not rotated in 90 days"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "secret"
    description: ClassVar[str] = "The secret's value has not changed for more than 90 days."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("SecretsManager.4",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("secretsmanager_secret_rotated_periodically",)
    remediation: ClassVar[str] = "Rotate the secret now and schedule rotation every 90 days or less."

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "last_rotated" not in attrs and "created" not in attrs:
            return None
        days = age_days(resource, attrs.get("last_rotated") or attrs.get("created"))
        if days is None or days <= MAX_DAYS:
            return None
        return Violation(detail=f"Secret {resource.name} was last rotated {int(days)} days ago.")
