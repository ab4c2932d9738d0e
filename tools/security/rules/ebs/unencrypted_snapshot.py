"""EBS snapshot stored without encryption.

Reads the normalised `ebs_snapshot` attribute encrypted (bool).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import PCI_DSS, SOC2, Rule, Severity, Violation


class UnencryptedSnapshot(Rule):
    id: ClassVar[str] = "ebs-snapshot-unencrypted"
    title: ClassVar[str] = "EBS snapshot is not encrypted"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "ebs_snapshot"
    description: ClassVar[str] = "The snapshot's data is stored unencrypted and can be shared as such."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        PCI_DSS: ("3.5.1", "8.3.2"),
        SOC2: ("CC7.5",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_ebs_snapshots_encrypted",)
    remediation: ClassVar[str] = (
        "Copy the snapshot with encryption (aws ec2 copy-snapshot --encrypted --kms-key-id ...), then delete "
        "the unencrypted original."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "encrypted" not in attrs or attrs["encrypted"]:
            return None
        return Violation(detail=f"Snapshot {resource.name} is unencrypted.")
