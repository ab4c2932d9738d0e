"""Security group allows all ports from the internet.

An ingress rule admits 0.0.0.0/0 or ::/0 on every protocol or on every TCP/UDP port, so any service
listening on the attached resources is reachable from the internet.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.exposure import WORLD_CIDRS
from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, SOC2, Rule, Severity, Violation


class SecurityGroupOpenAllPorts(Rule):
    id: ClassVar[str] = "ec2-sg-open-all-ports"
    title: ClassVar[str] = "Security group allows all ports from the internet"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "security_group"
    description: ClassVar[str] = (
        "An ingress rule admits 0.0.0.0/0 or ::/0 on every protocol or on every TCP/UDP port, so "
        "any service listening on the attached resources is reachable from the internet."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("5.2", "5.3"),
        SOC2: ("CC6.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "ec2_securitygroup_allow_ingress_from_internet_to_all_ports",
    )
    remediation: ClassVar[str] = (
        "Revoke the allow-all rule and allow only the ports the workload serves, from the sources"
        " that need them."
    )
    remediation_action: ClassVar[str | None] = "revoke_ingress"

    def evaluate(self, resource: Resource) -> Violation | None:
        for entry in resource.attributes.get("ingress") or []:
            if entry.get("cidr") not in WORLD_CIDRS:
                continue
            protocol = str(entry.get("protocol", "")).lower()
            low, high = entry.get("from_port"), entry.get("to_port")
            if protocol in ("-1", "all") or (low in (None, 0) and high in (None, 65535)):
                return Violation(
                    detail=f"{resource.name}: all {protocol if protocol not in ('-1', 'all') else 'traffic'} "
                    f"open to {entry['cidr']}.",
                    remediation_params={"cidr": entry["cidr"]},
                )
        return None
