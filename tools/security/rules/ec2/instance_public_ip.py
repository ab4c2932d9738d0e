"""EC2 instance with a public IPv4 address.

Reads the normalised `ec2_instance` attributes public_ip and state.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, SOC2, Rule, Severity, Violation


class InstanceWithPublicIp(Rule):
    id: ClassVar[str] = "ec2-instance-public-ip"
    title: ClassVar[str] = "EC2 instance has a public IP address"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "ec2_instance"
    description: ClassVar[str] = (
        "The instance is directly addressable from the internet; only its security groups protect it."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EC2.9",),
        SOC2: ("CC6.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_instance_public_ip",)
    remediation: ClassVar[str] = (
        "Move the instance to a private subnet behind a load balancer or NAT, and reach it with SSM "
        "Session Manager instead of a public address."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        ip = resource.attributes.get("public_ip")
        if not ip or resource.attributes.get("state") == "terminated":
            return None
        return Violation(detail=f"Instance {resource.name} has public IP {ip}.")
