"""RDS enhanced monitoring is off.

OS-level metrics of the database host are not collected, slowing the diagnosis of incidents.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation


class RdsWithoutEnhancedMonitoring(Rule):
    id: ClassVar[str] = "rds-instance-enhanced-monitoring"
    title: ClassVar[str] = "RDS enhanced monitoring is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = (
        "OS-level metrics of the database host are not collected, slowing the diagnosis of incidents."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_enhanced_monitoring_enabled",)
    remediation: ClassVar[str] = "Set a monitoring interval (e.g. 60 s) with a monitoring role."

    def evaluate(self, resource: Resource) -> Violation | None:
        interval = resource.attributes.get("monitoring_interval")
        if interval is None or int(interval) > 0:
            return None
        return Violation(detail=f"Instance {resource.name}: enhanced monitoring is off.")
