"""Network ACL allows all traffic from the internet.

An inbound network ACL entry allows every protocol and port from 0.0.0.0/0 or ::/0, so the subnet
boundary filters nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tools.inventory.exposure import WORLD_CIDRS
from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, SOC2, Rule, Severity, Violation


def world_allowed(entries: list[dict[str, Any]] | None, port: int | None) -> list[dict[str, Any]]:
    """Inbound entries that allow the internet on `port` (every port when None), taking the
    rule order into account: a lower-numbered deny for the same traffic wins."""
    hits = []
    for entry in entries or []:
        if entry.get("cidr") not in WORLD_CIDRS:
            continue
        protocol = str(entry.get("protocol", "")).lower()
        every = protocol in ("-1", "all")
        if port is None:
            matches = every
        else:
            low, high = entry.get("from_port"), entry.get("to_port")
            matches = every or (
                protocol in ("6", "tcp") and (low is None or int(low) <= port <= int(high or low))
            )
        if not matches:
            continue
        if entry.get("action") == "deny":
            break
        hits.append(entry)
        break
    return hits


class NaclOpenAllPorts(Rule):
    id: ClassVar[str] = "ec2-nacl-open-all-ports"
    title: ClassVar[str] = "Network ACL allows all traffic from the internet"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "network_acl"
    description: ClassVar[str] = (
        "An inbound network ACL entry allows every protocol and port from 0.0.0.0/0 or ::/0, so "
        "the subnet boundary filters nothing."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("5.1",),
        SOC2: ("CC6.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_networkacl_allow_ingress_any_port",)
    remediation: ClassVar[str] = (
        "Replace the allow-all entry with entries for the ports the subnets serve, or put a deny "
        "entry for the internet before it; rely on security groups for per-instance rules."
    )
    remediation_action: ClassVar[str | None] = "remove_nacl_entry"

    def evaluate(self, resource: Resource) -> Violation | None:
        hits = world_allowed(resource.attributes.get("ingress"), None)
        if not hits:
            return None
        entry = hits[0]
        return Violation(
            detail=f"{resource.name}: rule {entry['rule_number']} allows all traffic from {entry['cidr']}.",
            remediation_params={"rule_number": entry["rule_number"]},
        )
