"""No alarm on network gateway changes.

No CloudWatch alarm fires on network gateway changes recorded by CloudTrail.
"""

from __future__ import annotations

from typing import ClassVar

from tools.security.rule import CIS_AWS, SOC2
from tools.security.rules.cloudwatch.alarm import REMEDIATION, MetricAlarmRule


class NetworkGatewayChangesAlarm(MetricAlarmRule):
    id: ClassVar[str] = "cloudwatch-alarm-network-gateway-changes"
    title: ClassVar[str] = "No alarm on network gateway changes"
    description: ClassVar[str] = (
        "No CloudWatch alarm fires on network gateway changes recorded by CloudTrail."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("4.12",),
        SOC2: ("CC5.2", "CC7.2", "CC7.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("cloudwatch_changes_to_network_gateways_alarm_configured",)
    remediation: ClassVar[str] = REMEDIATION
    watched: ClassVar[str] = "network gateway changes"
    required: ClassVar[tuple[str, ...]] = (
        "CreateCustomerGateway",
        "AttachInternetGateway",
        "DetachInternetGateway",
    )
