"""Load balancer deletion protection is off.

The load balancer can be deleted by one API call, taking the service it fronts offline.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, Severity
from tools.security.rule_kinds import SettingRule


class LoadBalancerWithoutDeletionProtection(SettingRule):
    id: ClassVar[str] = "elb-deletion-protection"
    title: ClassVar[str] = "Load balancer deletion protection is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "load_balancer"
    description: ClassVar[str] = (
        "The load balancer can be deleted by one API call, taking the service it fronts offline."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ELB.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("elbv2_deletion_protection",)
    remediation: ClassVar[str] = "Enable deletion protection (attribute deletion_protection.enabled = true)."
    attribute: ClassVar[str] = "deletion_protection"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Load balancer {name}: deletion protection is off."
