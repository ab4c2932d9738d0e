"""S3 object-level read events are not logged.

No logging trail records S3 object-level read events for all buckets, so who read an object cannot
be traced.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, SOC2, Rule, Severity, Violation


class S3ReadDataEventsOff(Rule):
    id: ClassVar[str] = "cloudtrail-s3-data-events-read"
    title: ClassVar[str] = "S3 object-level read events are not logged"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "cloudtrail_account"
    description: ClassVar[str] = (
        "No logging trail records S3 object-level read events for all buckets, so who read an "
        "object cannot be traced."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("3.9",),
        SOC2: ("CC2.1", "CC7.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudtrail_s3_dataevents_read_enabled",)
    remediation: ClassVar[str] = (
        "Add an event selector for AWS::S3::Object data events (ReadOnly or All) on a multi-region trail."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        trails = resource.attributes.get("trails")
        if trails is None:
            return None
        if any(t.get("is_logging") and (t.get("data_events") or {}).get("s3_read") for t in trails):
            return None
        if all("data_events" not in t for t in trails) and trails:
            return None
        return Violation(detail="No logging trail records S3 object-level read events for all buckets.")
