"""EBS volume stored without encryption at rest.

Reads the normalised `ebs_volume` attribute encrypted (bool).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import Resource, ResourceType
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class UnencryptedVolume(Rule):
    id: ClassVar[str] = "ebs-volume-unencrypted"
    title: ClassVar[str] = "EBS volume is not encrypted"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[ResourceType] = "ebs_volume"
    description: ClassVar[str] = "Data on the volume and its snapshots is stored unencrypted."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("2.2.1",),
        FSBP: ("EC2.3",),
        PCI_DSS: ("3.5.1", "8.3.2"),
        SOC2: ("PI1.5",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_ebs_volume_encryption",)
    remediation: ClassVar[str] = (
        "Snapshot the volume, copy the snapshot with encryption (KMS key), create a volume from the "
        "encrypted copy and swap it in during a maintenance window. Turn on EBS encryption by "
        "default in every region so new volumes are encrypted."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        if resource.attributes.get("encrypted"):
            return None
        size = resource.attributes.get("size_gb")
        where = resource.attributes.get("attached_to") or []
        attached = f", attached to {', '.join(where)}" if where else ", not attached"
        size_text = f"{size} GiB " if size else ""
        return Violation(detail=f"Volume {resource.name}: {size_text}unencrypted{attached}.")
