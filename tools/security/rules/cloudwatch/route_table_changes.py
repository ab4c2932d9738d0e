"""No alarm on route table changes.

No CloudWatch alarm fires on route table changes recorded by CloudTrail.
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class RouteTableChangesAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-route-table-changes"
    title: ClassVar[str] = "No alarm on route table changes"
    description: ClassVar[str] = "No CloudWatch alarm fires on route table changes recorded by CloudTrail."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.13",),
        SOC2: ("CC5.2", "CC7.2", "CC7.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "cloudwatch_changes_to_network_route_tables_alarm_configured",
    )
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "route table changes"
    required: ClassVar[tuple[str, ...]] = ("CreateRoute", "ReplaceRoute", "DeleteRouteTable")
