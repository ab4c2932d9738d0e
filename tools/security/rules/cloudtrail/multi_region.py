"""No multi-region CloudTrail trail is logging.

Reads the normalised `cloudtrail_account` attribute trails ([{name, multi_region, is_logging, ...}]).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class NoMultiRegionTrail(Rule):
    id: ClassVar[str] = "cloudtrail-multi-region"
    title: ClassVar[str] = "CloudTrail is not recording in all regions"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "cloudtrail_account"
    description: ClassVar[str] = (
        "No multi-region trail is logging, so API activity in some regions is not recorded."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("3.1",),
        FSBP: ("CloudTrail.1",),
        PCI_DSS: ("10.2.1", "10.2.1.2", "10.2.2"),
        SOC2: ("CC7.2", "CC2.1", "PI1.3"),
    }
    remediation: ClassVar[str] = (
        "Create a multi-region trail recording all management events to a dedicated, locked-down bucket "
        "(or an organization trail), and start logging."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        trails = resource.attributes.get("trails")
        if trails is None:
            return None
        if any(t.get("multi_region") and t.get("is_logging") for t in trails):
            return None
        multi = [t["name"] for t in trails if t.get("multi_region")]
        if multi:
            return Violation(detail="Multi-region trail " + ", ".join(multi) + " is not logging.")
        if trails:
            names = ", ".join(t["name"] for t in trails)
            return Violation(detail=f"Only single-region trails exist ({names}).")
        return Violation(detail="The account has no CloudTrail trail.")
