"""Network ACL allows SSH/RDP from the internet.

An inbound network ACL entry allows 0.0.0.0/0 or ::/0 on port 22 (SSH) or 3389 (RDP), leaving the
subnet boundary open to remote administration from anywhere.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation
from tools.security.rules.ec2.nacl_open_all_ports import world_allowed


class NaclOpenAdminPorts(Rule):
    id: ClassVar[str] = "ec2-nacl-open-admin-ports"
    title: ClassVar[str] = "Network ACL allows SSH/RDP from the internet"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "network_acl"
    description: ClassVar[str] = (
        "An inbound network ACL entry allows 0.0.0.0/0 or ::/0 on port 22 (SSH) or 3389 (RDP), "
        "leaving the subnet boundary open to remote administration from anywhere."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("5.1",),
        FSBP: ("EC2.21",),
        PCI_DSS: ("1.2.8", "1.3.1", "1.3.2"),
        SOC2: ("CC6.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "ec2_networkacl_allow_ingress_tcp_port_22",
        "ec2_networkacl_allow_ingress_tcp_port_3389",
    )
    remediation: ClassVar[str] = (
        "Remove the entry (or add a lower-numbered deny for the internet on 22 and 3389) and "
        "allow administration only from known ranges."
    )
    remediation_action: ClassVar[str | None] = "remove_nacl_entry"

    def evaluate(self, resource: Resource) -> Violation | None:
        entries = resource.attributes.get("ingress")
        found = {}
        for port in (22, 3389):
            for entry in world_allowed(entries, port):
                found[port] = entry
        if not found:
            return None
        parts = [
            f"port {p} allowed from {e['cidr']} by rule {e['rule_number']}" for p, e in sorted(found.items())
        ]
        numbers = {e["rule_number"] for e in found.values()}
        params = {"rule_number": next(iter(numbers))} if len(numbers) == 1 else {}
        return Violation(detail=f"{resource.name}: " + "; ".join(parts) + ".", remediation_params=params)
