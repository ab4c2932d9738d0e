"""Secret unused for 90 days.

Nothing has read the secret for 90 days; unused credentials are forgotten and never rotated.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation, age_days

MAX_DAYS = 90


class UnusedSecret(Rule):
    id: ClassVar[str] = "secretsmanager-unused"
    title: ClassVar[str] = "Secret unused for 90 days"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "secret"
    description: ClassVar[str] = (
        "Nothing has read the secret for 90 days; unused credentials are forgotten and never rotated."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("SecretsManager.3",),
        PCI_DSS: ("7.2.4", "7.2.5.1", "8.2.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("secretsmanager_secret_unused",)
    remediation: ClassVar[str] = "Confirm it is not needed and schedule it for deletion."

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "last_accessed" not in attrs:
            return None
        days = age_days(resource, attrs.get("last_accessed") or attrs.get("created"))
        if days is None or days <= MAX_DAYS:
            return None
        return Violation(detail=f"Secret {resource.name} has not been read for {int(days)} days.")
