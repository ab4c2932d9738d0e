"""IAM Access Analyzer is not enabled in the region.

No active analyzer reports resources shared outside the account in this region.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import CIS_AWS, Severity
from tools.security.rule_kinds import SettingRule


class AccessAnalyzerOff(SettingRule):
    id: ClassVar[str] = "accessanalyzer-enabled"
    title: ClassVar[str] = "IAM Access Analyzer is not enabled in the region"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "access_analyzer"
    description: ClassVar[str] = (
        "No active analyzer reports resources shared outside the account in this region."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.20",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("accessanalyzer_enabled",)
    remediation: ClassVar[str] = "Create an account (or organisation) analyzer in every region."
    attribute: ClassVar[str] = "active"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "No active IAM Access Analyzer in this region."
