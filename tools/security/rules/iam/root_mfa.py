"""The root user has no MFA device.

Reads the normalised `iam_root_user` attribute mfa_enabled (bool).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Rule, Severity, Violation


class RootWithoutMfa(Rule):
    id: ClassVar[str] = "iam-root-mfa"
    title: ClassVar[str] = "Root user has no MFA"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "iam_root_user"
    description: ClassVar[str] = "The root user signs in with a password alone."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.5",),
        FSBP: ("IAM.9",),
        PCI_DSS: ("8.4.1", "8.4.2", "8.4.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_root_mfa_enabled",)
    remediation: ClassVar[str] = (
        "Sign in as root and assign an MFA device (a hardware key or passkey is best) under Security "
        "credentials; keep the device in a safe with a documented recovery procedure."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        if resource.attributes.get("mfa_enabled", True):
            return None
        return Violation(detail="The root user has no MFA device.")
