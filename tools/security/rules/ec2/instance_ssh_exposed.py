"""Instance reachable on SSH from the internet.

The instance has a public IP and a security group admits the whole internet on port 22 (SSH), so
anyone can try to log in to it.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import SOC2, Rule, Severity, Violation
from tools.security.rules.ec2.open_admin_ports import instance_exposed

PORT = 22
LABEL = "SSH"


class InstanceSshExposed(Rule):
    id: ClassVar[str] = "ec2-instance-ssh-exposed"
    title: ClassVar[str] = "Instance reachable on SSH from the internet"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "ec2_instance"
    description: ClassVar[str] = (
        "The instance has a public IP and a security group admits the whole internet on port 22 "
        "(SSH), so anyone can try to log in to it."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        SOC2: ("CC6.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_instance_port_ssh_exposed_to_internet",)
    remediation: ClassVar[str] = (
        "Remove the world-open port 22 rule from the instance's security groups (or move the "
        "instance to a private subnet without a public IP) and reach it through SSM Session "
        "Manager or a VPN."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        return instance_exposed(resource, PORT, LABEL)
