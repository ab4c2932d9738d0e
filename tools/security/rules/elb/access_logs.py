"""Load balancer access logs are off.

Requests through the load balancer are not logged, so attacks and abuse cannot be investigated.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, SOC2, Severity
from tools.security.rule_kinds import SettingRule


class LoadBalancerWithoutAccessLogs(SettingRule):
    id: ClassVar[str] = "elb-access-logs"
    title: ClassVar[str] = "Load balancer access logs are off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "load_balancer"
    description: ClassVar[str] = (
        "Requests through the load balancer are not logged, so attacks and abuse cannot be investigated."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ELB.5",),
        SOC2: ("CC7.2", "CC7.3", "A1.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("elbv2_logging_enabled",)
    remediation: ClassVar[str] = (
        "Enable access logs to an S3 bucket (attribute access_logs.s3.enabled = true)."
    )
    attribute: ClassVar[str] = "access_logs"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Load balancer {name}: access logs are off."
