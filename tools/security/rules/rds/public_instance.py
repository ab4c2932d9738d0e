"""RDS instance reachable from the internet (PubliclyAccessible).

Reads the normalised `rds_instance` attribute publicly_accessible (bool).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import Resource, ResourceType
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class PublicRdsInstance(Rule):
    id: ClassVar[str] = "rds-instance-public"
    title: ClassVar[str] = "RDS instance is publicly accessible"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[ResourceType] = "rds_instance"
    description: ClassVar[str] = (
        "The instance has a public DNS name resolving to a public IP; only its security groups stand "
        "between the database and the internet."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("2.3.3",),
        FSBP: ("RDS.2",),
        PCI_DSS: ("1.3.1", "1.4.2"),
        SOC2: ("CC6.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_no_public_access",)
    remediation: ClassVar[str] = (
        "Modify the instance with PubliclyAccessible=false (aws rds modify-db-instance "
        "--no-publicly-accessible), keep it in private subnets and reach it through a bastion, "
        "VPN or SSM port forwarding."
    )
    remediation_action: ClassVar[str | None] = "disable_public_access"

    def evaluate(self, resource: Resource) -> Violation | None:
        if not resource.attributes.get("publicly_accessible"):
            return None
        engine = resource.attributes.get("engine") or "database"
        return Violation(detail=f"{engine} instance {resource.name} is publicly accessible.")
