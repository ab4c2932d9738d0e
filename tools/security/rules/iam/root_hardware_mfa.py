"""The root user's MFA is a virtual (app) device rather than hardware.

Reads the normalised `iam_root_user` attributes mfa_enabled and virtual_mfa (bools).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Rule, Severity, Violation


class RootVirtualMfa(Rule):
    id: ClassVar[str] = "iam-root-hardware-mfa"
    title: ClassVar[str] = "Root user MFA is not a hardware device"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "iam_root_user"
    description: ClassVar[str] = (
        "The root MFA device is a virtual one, living on a phone or laptop that can be lost, cloned "
        "or compromised with it."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.6",),
        FSBP: ("IAM.6",),
        PCI_DSS: ("8.4.1", "8.4.2", "8.4.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_root_hardware_mfa_enabled",)
    remediation: ClassVar[str] = (
        "Replace the root user's virtual MFA device with a hardware security key or hardware TOTP token."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        # Without any MFA the root-MFA rule reports it; this one is about the kind of device.
        if not attrs.get("mfa_enabled") or not attrs.get("virtual_mfa"):
            return None
        return Violation(detail="The root user's MFA device is virtual, not hardware.")
