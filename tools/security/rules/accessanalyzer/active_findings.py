"""IAM Access Analyzer has active findings.

The analyzer reports resources shared outside the account that nobody has reviewed.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import Rule, Severity, Violation


class AccessAnalyzerFindings(Rule):
    id: ClassVar[str] = "accessanalyzer-active-findings"
    title: ClassVar[str] = "IAM Access Analyzer has active findings"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "access_analyzer"
    description: ClassVar[str] = (
        "The analyzer reports resources shared outside the account that nobody has reviewed."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("accessanalyzer_enabled_without_findings",)
    remediation: ClassVar[str] = "Review each active finding: archive intended access, remove the rest."

    def evaluate(self, resource: Resource) -> Violation | None:
        count = resource.attributes.get("active_findings")
        if not count:
            return None
        return Violation(
            detail=f"{count} active Access Analyzer finding{'s' if count != 1 else ''} to review."
        )
