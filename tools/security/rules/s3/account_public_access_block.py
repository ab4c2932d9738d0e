"""Account-level S3 Block Public Access not fully on.

Reads the normalised `s3_account_settings` attribute public_access_block.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Rule, Severity, Violation
from tools.security.rules.s3.bucket_public_access_block import SETTINGS


class AccountPublicAccessBlock(Rule):
    id: ClassVar[str] = "s3-account-public-access-block"
    title: ClassVar[str] = "S3 Block Public Access is off for the account"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "s3_account_settings"
    description: ClassVar[str] = (
        "Without the account-level setting every bucket depends on its own configuration to stay private."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("2.1.4",),
        FSBP: ("S3.1",),
        PCI_DSS: ("1.3.1", "1.4.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_account_level_public_access_blocks",)
    remediation: ClassVar[str] = (
        "After checking that no bucket must stay public (serve those through CloudFront instead), turn on "
        "all four settings with aws s3control put-public-access-block --account-id <id>. This affects every "
        "bucket, so it is left to a person."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        block = resource.attributes.get("public_access_block")
        if block is None:
            return None
        off = [s for s in SETTINGS if not block.get(s)]
        if not off:
            return None
        return Violation(detail="Account-level Block Public Access is off for " + ", ".join(off) + ".")
