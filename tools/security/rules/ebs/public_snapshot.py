"""EBS snapshot that anyone can restore.

Reads the normalised `ebs_snapshot` attribute public (bool).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, SOC2, Rule, Severity, Violation


class PublicSnapshot(Rule):
    id: ClassVar[str] = "ebs-snapshot-public"
    title: ClassVar[str] = "EBS snapshot is public"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "ebs_snapshot"
    description: ClassVar[str] = (
        "Any AWS account can create a volume from the snapshot and read the disk's contents."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EC2.1",),
        SOC2: ("CC6.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_ebs_public_snapshot",)
    remediation: ClassVar[str] = (
        "Remove the 'all' group from the snapshot's createVolumePermission, share it with named accounts "
        "if needed, and turn on EBS snapshot Block Public Access for the region."
    )
    remediation_action: ClassVar[str | None] = "make_snapshot_private"

    def evaluate(self, resource: Resource) -> Violation | None:
        if not resource.attributes.get("public"):
            return None
        size = resource.attributes.get("size_gb")
        source = resource.attributes.get("volume_id") or "an unknown volume"
        return Violation(detail=f"Snapshot {resource.name} ({size or '?'} GiB, from {source}) is public.")
