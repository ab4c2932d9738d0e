"""S3 object-level write events are not logged.

No logging trail records S3 object-level write events for all buckets, so who changed or deleted an
object cannot be traced.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, PCI_DSS, SOC2, Rule, Severity, Violation


class S3WriteDataEventsOff(Rule):
    id: ClassVar[str] = "cloudtrail-s3-data-events-write"
    title: ClassVar[str] = "S3 object-level write events are not logged"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "cloudtrail_account"
    description: ClassVar[str] = (
        "No logging trail records S3 object-level write events for all buckets, so who changed or"
        " deleted an object cannot be traced."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("3.8",),
        PCI_DSS: ("10.2.1.1", "10.2.1.2", "10.2.1.3"),
        SOC2: ("CC2.1", "CC7.2", "PI1.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudtrail_s3_dataevents_write_enabled",)
    remediation: ClassVar[str] = (
        "Add an event selector for AWS::S3::Object data events (WriteOnly or All) on a multi-region trail."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        trails = resource.attributes.get("trails")
        if trails is None:
            return None
        if any(t.get("is_logging") and (t.get("data_events") or {}).get("s3_write") for t in trails):
            return None
        if all("data_events" not in t for t in trails) and trails:
            return None
        return Violation(detail="No logging trail records S3 object-level write events for all buckets.")
