"""ALB desync mitigation is monitor-only.

The desync mitigation mode is "monitor", so ambiguous requests that enable HTTP desync attacks
reach the targets.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, Severity
from tools.security.rule_kinds import SettingRule


class AlbDesyncMitigation(SettingRule):
    id: ClassVar[str] = "elb-desync-mitigation"
    title: ClassVar[str] = "ALB desync mitigation is monitor-only"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "load_balancer"
    description: ClassVar[str] = (
        'The desync mitigation mode is "monitor", so ambiguous requests that enable HTTP desync '
        "attacks reach the targets."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ELB.12",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("elbv2_desync_mitigation_mode",)
    remediation: ClassVar[str] = "Set routing.http.desync_mitigation_mode to defensive or strictest."
    attribute: ClassVar[str] = "desync_mode"
    passing: ClassVar[tuple[object, ...]] = ("defensive", "strictest")
    failure: ClassVar[str] = "Load balancer {name}: desync mitigation mode is {value}."
