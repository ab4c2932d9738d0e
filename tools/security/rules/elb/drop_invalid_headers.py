"""ALB forwards invalid HTTP headers.

The Application Load Balancer passes malformed header fields to the targets, enabling HTTP desync
and request-smuggling attacks.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, Severity
from tools.security.rule_kinds import SettingRule


class AlbKeepsInvalidHeaders(SettingRule):
    id: ClassVar[str] = "elb-drop-invalid-headers"
    title: ClassVar[str] = "ALB forwards invalid HTTP headers"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "load_balancer"
    description: ClassVar[str] = (
        "The Application Load Balancer passes malformed header fields to the targets, enabling "
        "HTTP desync and request-smuggling attacks."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ELB.4",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("elbv2_alb_drop_invalid_header_fields_enabled",)
    remediation: ClassVar[str] = "Set routing.http.drop_invalid_header_fields.enabled = true."
    attribute: ClassVar[str] = "drop_invalid_headers"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Load balancer {name} forwards invalid header fields."
