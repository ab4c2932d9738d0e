"""CloudTrail trail without log file integrity validation.

Reads the normalised `cloudtrail_trail` attribute log_file_validation (bool).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class LogFileValidationOff(Rule):
    id: ClassVar[str] = "cloudtrail-log-file-validation"
    title: ClassVar[str] = "CloudTrail log file validation is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "cloudtrail_trail"
    description: ClassVar[str] = "Without digest files nobody can prove the delivered logs were not altered."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("3.2",),
        FSBP: ("CloudTrail.4",),
        PCI_DSS: ("10.3.2", "10.3.4"),
        SOC2: ("CC7.3", "PI1.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudtrail_log_file_validation_enabled",)
    remediation: ClassVar[str] = (
        "Enable log file validation on the trail (aws cloudtrail update-trail --enable-log-file-validation)."
    )
    remediation_action: ClassVar[str | None] = "enable_log_file_validation"

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "log_file_validation" not in attrs or attrs["log_file_validation"]:
            return None
        return Violation(detail=f"Trail {resource.name} has log file validation off.")
