"""Security group allows high-risk ports from the internet.

An ingress rule admits the internet on a port commonly attacked (SMTP 25, POP3 110, RPC 135, IMAP
143, SMB 445, 3000, 4333, 5000, 5500, 8080, 8088).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, SOC2, Rule, Severity, Violation
from tools.security.rules.ec2.open_admin_ports import world_open_admin_ports

HIGH_RISK_PORTS = (25, 110, 135, 143, 445, 3000, 4333, 5000, 5500, 8080, 8088)


class SecurityGroupOpenHighRiskPorts(Rule):
    id: ClassVar[str] = "ec2-sg-open-high-risk-ports"
    title: ClassVar[str] = "Security group allows high-risk ports from the internet"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "security_group"
    description: ClassVar[str] = (
        "An ingress rule admits the internet on a port commonly attacked (SMTP 25, POP3 110, RPC "
        "135, IMAP 143, SMB 445, 3000, 4333, 5000, 5500, 8080, 8088)."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EC2.19",),
        SOC2: ("CC6.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports",
    )
    remediation: ClassVar[str] = (
        "Revoke the world-open rule for these ports and allow them only from known sources, "
        "behind a load balancer or VPN."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        hits = world_open_admin_ports(resource.attributes.get("ingress"), ports=HIGH_RISK_PORTS)
        if not hits:
            return None
        ports = sorted({port for port, _, _ in hits})
        return Violation(detail=f"{resource.name}: tcp {', '.join(map(str, ports))} open to the internet.")
