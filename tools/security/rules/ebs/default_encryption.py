"""EBS encryption by default is off in a region.

Reads the normalised `ebs_encryption_default` attribute enabled (bool).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, Rule, Severity, Violation


class EbsDefaultEncryptionOff(Rule):
    id: ClassVar[str] = "ebs-default-encryption-off"
    title: ClassVar[str] = "EBS encryption by default is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "ebs_encryption_default"
    description: ClassVar[str] = (
        "New EBS volumes and snapshot copies in the region are not encrypted automatically."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("2.2.1",),
        FSBP: ("EC2.7",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_ebs_default_encryption",)
    remediation: ClassVar[str] = (
        "Turn on EBS encryption by default in every region you use "
        "(aws ec2 enable-ebs-encryption-by-default); "
        "existing volumes are not changed."
    )
    remediation_action: ClassVar[str | None] = "enable_ebs_default_encryption"

    def evaluate(self, resource: Resource) -> Violation | None:
        enabled = resource.attributes.get("enabled")
        if enabled is None or enabled:
            return None
        return Violation(detail=f"EBS encryption by default is off in {resource.region}.")
