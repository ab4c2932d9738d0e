"""GuardDuty S3 protection is off.

GuardDuty does not monitor S3 data events, so suspicious access to bucket contents is not detected.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation


class GuardDutyS3ProtectionOff(Rule):
    id: ClassVar[str] = "guardduty-s3-protection"
    title: ClassVar[str] = "GuardDuty S3 protection is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "guardduty_detector"
    description: ClassVar[str] = (
        "GuardDuty does not monitor S3 data events, so suspicious access to bucket contents is not detected."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("GuardDuty.10",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("guardduty_s3_protection_enabled",)
    remediation: ClassVar[str] = "Enable the S3 protection feature on the detector."

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if not attrs.get("enabled") or attrs.get("s3_protection") is not False:
            return None
        return Violation(detail=f"GuardDuty S3 protection is off in {resource.region}.")
