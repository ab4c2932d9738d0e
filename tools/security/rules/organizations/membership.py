"""Account is not in AWS Organizations.

The account is managed alone, without organisation-wide guardrails (SCPs), central logging or
delegated security services.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import PCI_DSS, Severity
from tools.security.rule_kinds import SettingRule


class NotInOrganization(SettingRule):
    id: ClassVar[str] = "organizations-membership"
    title: ClassVar[str] = "Account is not in AWS Organizations"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "organization"
    description: ClassVar[str] = (
        "The account is managed alone, without organisation-wide guardrails (SCPs), central "
        "logging or delegated security services."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        PCI_DSS: ("7.2.1", "7.2.2", "7.2.5"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("organizations_account_part_of_organizations",)
    remediation: ClassVar[str] = (
        "Join the account to your organisation (with all features) and apply its guardrails."
    )
    attribute: ClassVar[str] = "member"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "The account does not belong to an AWS organisation."
