"""Elastic IP address allocated but not associated with anything.

Reads the normalised `elastic_ip` attributes association_id, instance_id, network_interface_id.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation


class UnattachedElasticIp(Rule):
    id: ClassVar[str] = "ec2-eip-unattached"
    title: ClassVar[str] = "Elastic IP is not attached"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "elastic_ip"
    description: ClassVar[str] = (
        "An allocated address that nothing uses costs money and may still be trusted in allow-lists."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EC2.12",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_elastic_ip_unassigned",)
    remediation: ClassVar[str] = (
        "Release the address if nothing needs it (and remove it from partners' allow-lists), or associate it."
    )
    remediation_action: ClassVar[str | None] = "release_address"

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "association_id" not in attrs:
            return None
        if attrs.get("association_id") or attrs.get("instance_id") or attrs.get("network_interface_id"):
            return None
        return Violation(detail=f"Elastic IP {attrs.get('public_ip') or resource.id} is not associated.")
