"""Security group allows Telnet from the internet.

An ingress rule admits 0.0.0.0/0 or ::/0 on the Telnet port 23: Telnet carries credentials and data
in clear text or is a common attack target.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, SOC2, Rule, Severity, Violation
from tools.security.rules.ec2.open_admin_ports import world_open_admin_ports

PORTS = (23,)


class SecurityGroupOpenTelnet(Rule):
    id: ClassVar[str] = "ec2-sg-open-telnet"
    title: ClassVar[str] = "Security group allows Telnet from the internet"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "security_group"
    description: ClassVar[str] = (
        "An ingress rule admits 0.0.0.0/0 or ::/0 on the Telnet port 23: Telnet carries "
        "credentials and data in clear text or is a common attack target."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EC2.19",),
        SOC2: ("CC6.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_telnet_23",
    )
    remediation: ClassVar[str] = (
        "Revoke the world-open Telnet rule; use an encrypted, authenticated alternative reachable"
        " only from known sources."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        hits = world_open_admin_ports(resource.attributes.get("ingress"), ports=PORTS)
        if not hits:
            return None
        opened = sorted({(port, cidr) for port, cidr, _ in hits})
        return Violation(
            detail=f"{resource.name}: " + "; ".join(f"tcp {p} open to {c}" for p, c in opened) + "."
        )
