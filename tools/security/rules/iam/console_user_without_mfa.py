"""IAM user who can sign in to the console with a password but has no MFA device.

Reads the normalised `iam_user` attributes console_access (bool) and mfa_devices (int).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import Resource, ResourceType
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Rule, Severity, Violation


class ConsoleUserWithoutMfa(Rule):
    id: ClassVar[str] = "iam-user-console-without-mfa"
    title: ClassVar[str] = "IAM user has console access without MFA"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[ResourceType] = "iam_user"
    description: ClassVar[str] = "The user has a console password (login profile) and no MFA device."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.10",),
        FSBP: ("IAM.5", "IAM.19"),
        PCI_DSS: ("8.4.1", "8.4.2", "8.4.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_user_mfa_enabled_console_access",)
    remediation: ClassVar[str] = (
        "Have the user register a virtual or hardware MFA device, or delete the login profile if "
        "they only need programmatic access. Enforce MFA with a policy that denies actions when "
        "aws:MultiFactorAuthPresent is false; better, move people to IAM Identity Center."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if not attrs.get("console_access") or int(attrs.get("mfa_devices") or 0) > 0:
            return None
        return Violation(
            detail=f"User {resource.name} can sign in to the console with a password and has no MFA."
        )
