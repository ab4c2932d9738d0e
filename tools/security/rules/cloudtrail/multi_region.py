"""No multi-region CloudTrail trail is logging read and write management events.

Reads the normalised `cloudtrail_account` attribute trails ([{name, multi_region, is_logging,
management_events: {read, write}, ...}]). CIS 3.1 and FSBP CloudTrail.1 ask for at least one trail
that is multi-region, logging, and records both read and write management events: a multi-region
trail whose event selectors leave management events out (or keep only one kind) records no
control-plane activity and does not count.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


def records_management_events(trail: dict[str, Any]) -> bool:
    """Read and write management events; unknown (not collected) counts as recorded."""
    events = trail.get("management_events")
    if events is None:
        return True
    return bool(events.get("read")) and bool(events.get("write"))


def _missing(trail: dict[str, Any]) -> str:
    events = trail.get("management_events") or {}
    kinds = [k for k in ("read", "write") if not events.get(k)]
    return " and ".join(kinds)


class NoMultiRegionTrail(Rule):
    id: ClassVar[str] = "cloudtrail-multi-region"
    title: ClassVar[str] = "CloudTrail is not recording management events in all regions"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "cloudtrail_account"
    description: ClassVar[str] = (
        "No multi-region trail is logging both read and write management events, so API activity in "
        "some regions (or all control-plane activity) is not recorded."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("3.1",),
        FSBP: ("CloudTrail.1",),
        PCI_DSS: ("10.2.1", "10.2.1.2", "10.2.2"),
        SOC2: ("CC7.2", "CC2.1", "PI1.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "cloudtrail_multi_region_enabled",
        "cloudtrail_multi_region_enabled_logging_management_events",
    )
    remediation: ClassVar[str] = (
        "Create a multi-region trail recording all management events (read and write) to a dedicated, "
        "locked-down bucket (or an organization trail), and start logging; on an existing trail, add "
        "management events to its event selectors (aws cloudtrail put-event-selectors --event-selectors "
        '\'[{"ReadWriteType":"All","IncludeManagementEvents":true}]\').'
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        trails = resource.attributes.get("trails")
        if trails is None:
            return None
        logging_multi = [t for t in trails if t.get("multi_region") and t.get("is_logging")]
        if any(records_management_events(t) for t in logging_multi):
            return None
        if logging_multi:
            parts = [f"{t['name']} records no {_missing(t)} management events" for t in logging_multi]
            return Violation(detail="Multi-region trail " + "; ".join(parts) + ".")
        multi = [t["name"] for t in trails if t.get("multi_region")]
        if multi:
            return Violation(detail="Multi-region trail " + ", ".join(multi) + " is not logging.")
        if trails:
            names = ", ".join(t["name"] for t in trails)
            return Violation(detail=f"Only single-region trails exist ({names}).")
        return Violation(detail="The account has no CloudTrail trail.")
