"""Instance detailed monitoring is off.

Basic monitoring reports metrics every five minutes only, which delays alarms on abnormal activity.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import PCI_DSS, Rule, Severity, Violation


class InstanceWithoutDetailedMonitoring(Rule):
    id: ClassVar[str] = "ec2-instance-detailed-monitoring"
    title: ClassVar[str] = "Instance detailed monitoring is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "ec2_instance"
    description: ClassVar[str] = (
        "Basic monitoring reports metrics every five minutes only, which delays alarms on abnormal activity."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        PCI_DSS: ("10.2.1.1", "10.4.1.1", "10.4.1"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_instance_detailed_monitoring_enabled",)
    remediation: ClassVar[str] = "Enable detailed monitoring (aws ec2 monitor-instances --instance-ids <id>)."

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if attrs.get("monitoring") is None or attrs.get("state") != "running":
            return None
        if attrs["monitoring"] == "enabled":
            return None
        return Violation(detail=f"Instance {resource.name}: detailed monitoring is {attrs['monitoring']}.")
