"""GuardDuty is not enabled in the region.

No GuardDuty detector is running in this region, so threats there (credential misuse, crypto-
mining, malicious IPs) go unseen.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class GuardDutyOff(Rule):
    id: ClassVar[str] = "guardduty-enabled"
    title: ClassVar[str] = "GuardDuty is not enabled in the region"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "guardduty_detector"
    description: ClassVar[str] = (
        "No GuardDuty detector is running in this region, so threats there (credential misuse, "
        "crypto-mining, malicious IPs) go unseen."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("GuardDuty.1",),
        PCI_DSS: ("11.5.1.1", "11.5.1"),
        SOC2: ("CC3.1", "CC3.2", "CC4.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("guardduty_is_enabled",)
    remediation: ClassVar[str] = (
        "Enable GuardDuty in every region (ideally for the organisation through a delegated administrator)."
    )
    remediation_action: ClassVar[str | None] = "enable_guardduty"

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "enabled" not in attrs or attrs["enabled"]:
            return None
        state = "suspended" if attrs.get("exists") else "not enabled"
        return Violation(detail=f"GuardDuty is {state} in {resource.region}.")
