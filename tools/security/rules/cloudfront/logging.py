"""CloudFront access logging is off.

Viewer requests are not logged.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, SOC2, Severity
from tools.security.rule_kinds import SettingRule


class CloudFrontWithoutLogging(SettingRule):
    id: ClassVar[str] = "cloudfront-logging"
    title: ClassVar[str] = "CloudFront access logging is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "cloudfront_distribution"
    description: ClassVar[str] = "Viewer requests are not logged."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("CloudFront.5",),
        PCI_DSS: ("10.2.1.1", "10.2.1.2", "10.2.1.3"),
        SOC2: ("A1.2", "PI1.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudfront_distributions_logging_enabled",)
    remediation: ClassVar[str] = "Enable standard logging to an S3 bucket (or real-time logs)."
    attribute: ClassVar[str] = "logging"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Distribution {name}: access logging is off."
