"""Load balancer spans fewer than two Availability Zones.

The load balancer has nodes in one Availability Zone only, so a zone failure takes it down.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation


class LoadBalancerSingleAz(Rule):
    id: ClassVar[str] = "elb-single-az"
    title: ClassVar[str] = "Load balancer spans fewer than two Availability Zones"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "load_balancer"
    description: ClassVar[str] = (
        "The load balancer has nodes in one Availability Zone only, so a zone failure takes it down."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ELB.13",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("elbv2_is_in_multiple_az",)
    remediation: ClassVar[str] = "Add subnets in at least two Availability Zones to the load balancer."

    def evaluate(self, resource: Resource) -> Violation | None:
        zones = resource.attributes.get("availability_zones")
        if zones is None or len(zones) >= 2:
            return None
        return Violation(detail=f"Load balancer {resource.name} is in {len(zones)} Availability Zone(s).")
