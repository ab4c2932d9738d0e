"""Security Hub is not enabled in the region.

Security Hub does not collect and check findings in this region.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import CIS_AWS, PCI_DSS, SOC2, Severity
from tools.security.rule_kinds import SettingRule


class SecurityHubOff(SettingRule):
    id: ClassVar[str] = "securityhub-enabled"
    title: ClassVar[str] = "Security Hub is not enabled in the region"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "securityhub_hub"
    description: ClassVar[str] = "Security Hub does not collect and check findings in this region."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.16",),
        PCI_DSS: ("10.2.1.1", "10.4.1.1", "10.4.1"),
        SOC2: ("CC3.1", "CC6.8", "CC7.1"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("securityhub_enabled",)
    remediation: ClassVar[str] = (
        "Enable Security Hub with the AWS Foundational Security Best Practices standard in every region."
    )
    attribute: ClassVar[str] = "enabled"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Security Hub is not enabled in this region."
