"""Secret rotation is off.

The secret is never rotated automatically, so a leaked value stays valid.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, Severity
from tools.security.rule_kinds import SettingRule


class SecretWithoutRotation(SettingRule):
    id: ClassVar[str] = "secretsmanager-rotation"
    title: ClassVar[str] = "Secret rotation is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "secret"
    description: ClassVar[str] = "The secret is never rotated automatically, so a leaked value stays valid."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("SecretsManager.1",),
        PCI_DSS: ("3.5.1", "8.2.2", "8.3.10.1"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("secretsmanager_automatic_rotation_enabled",)
    remediation: ClassVar[str] = (
        "Configure a rotation Lambda and schedule (aws secretsmanager rotate-secret --rotation-"
        "rules AutomaticallyAfterDays=30)."
    )
    attribute: ClassVar[str] = "rotation_enabled"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Secret {name}: automatic rotation is off."
