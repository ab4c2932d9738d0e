"""Security group that lets the whole internet reach SSH (22) or RDP (3389).

Reads the normalised `security_group` attribute `ingress`: a list of
{protocol, from_port, to_port, cidr, source_group, description}, one entry per source.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tools.inventory.exposure import WORLD_CIDRS
from tools.inventory.resources import Resource, ResourceType
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation

ADMIN_PORTS: dict[int, str] = {22: "SSH", 3389: "RDP"}
ALL_PROTOCOLS = ("-1", "all")
TCP = ("tcp", "6")


def covers_port(entry: dict[str, Any], port: int) -> bool:
    protocol = str(entry.get("protocol", "")).lower()
    if protocol in ALL_PROTOCOLS:
        return True
    if protocol not in TCP:
        return False
    low, high = entry.get("from_port"), entry.get("to_port")
    if low is None or high is None:
        return True
    return int(low) <= port <= int(high)


def world_open_admin_ports(
    ingress: list[dict[str, Any]] | None,
    ports: tuple[int, ...] = tuple(ADMIN_PORTS),
    cidrs: tuple[str, ...] = WORLD_CIDRS,
) -> list[tuple[int, str, dict[str, Any]]]:
    """(port, cidr, ingress entry) for every entry opening one of `ports` to one of `cidrs`."""
    hits = []
    for entry in ingress or []:
        cidr = entry.get("cidr")
        if cidr not in cidrs:
            continue
        for port in ports:
            if covers_port(entry, port):
                hits.append((port, str(cidr), entry))
    return hits


class OpenAdminPorts(Rule):
    id: ClassVar[str] = "ec2-sg-open-admin-ports"
    title: ClassVar[str] = "Security group allows SSH/RDP from the internet"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[ResourceType] = "security_group"
    description: ClassVar[str] = (
        "An ingress rule admits 0.0.0.0/0 or ::/0 on a remote administration port (22 SSH, 3389 RDP)."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("5.2", "5.3"),
        FSBP: ("EC2.13", "EC2.14"),
        PCI_DSS: ("1.3.1", "1.4.2"),
        SOC2: ("CC6.6", "CC7.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",
    )
    remediation: ClassVar[str] = (
        "Revoke the world-open ingress rule and allow the port only from known ranges (VPN, office), "
        "or drop inbound admin access entirely and use SSM Session Manager / Fleet Manager."
    )
    remediation_action: ClassVar[str | None] = "revoke_ingress"

    def evaluate(self, resource: Resource) -> Violation | None:
        hits = world_open_admin_ports(resource.attributes.get("ingress"))
        if not hits:
            return None
        opened = sorted({(port, cidr) for port, cidr, _ in hits})
        parts = [f"tcp {port} ({ADMIN_PORTS[port]}) open to {cidr}" for port, cidr in opened]
        ports = {port for port, _ in opened}
        cidrs = {cidr for _, cidr in opened}
        params: dict[str, Any] = {}
        if len(ports) == 1:
            params["port"] = next(iter(ports))
        if len(cidrs) == 1:
            params["cidr"] = next(iter(cidrs))
        return Violation(detail=f"{resource.name}: " + "; ".join(parts) + ".", remediation_params=params)


def instance_exposed(resource: Resource, port: int, label: str) -> Violation | None:
    """An instance with a public IP whose security groups admit the internet on `port`."""
    ingress = resource.attributes.get("internet_ingress")
    if not resource.attributes.get("public_ip") or not ingress:
        return None
    hits = world_open_admin_ports(ingress, ports=(port,))
    if not hits:
        return None
    groups = sorted({str(entry.get("group")) for _, _, entry in hits})
    return Violation(
        detail=f"{resource.name} has public IP {resource.attributes['public_ip']} and "
        f"{', '.join(groups)} admit port {port} ({label}) from the internet."
    )
