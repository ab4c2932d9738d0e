"""Subnet assigns public IPs by default.

The subnet gives every instance launched in it a public IPv4 address unless told otherwise, so
instances become reachable from the internet by default.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, SOC2, Severity
from tools.security.rule_kinds import SettingRule


class SubnetAutoPublicIp(SettingRule):
    id: ClassVar[str] = "ec2-subnet-auto-public-ip"
    title: ClassVar[str] = "Subnet assigns public IPs by default"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "subnet"
    description: ClassVar[str] = (
        "The subnet gives every instance launched in it a public IPv4 address unless told "
        "otherwise, so instances become reachable from the internet by default."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EC2.15",),
        SOC2: ("CC6.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("vpc_subnet_no_public_ip_by_default",)
    remediation: ClassVar[str] = (
        "Turn off auto-assign public IPv4 on the subnet (aws ec2 modify-subnet-attribute --no-"
        "map-public-ip-on-launch) and give public addresses only to the instances that need them."
    )
    remediation_action: ClassVar[str | None] = "disable_auto_public_ip"
    attribute: ClassVar[str] = "map_public_ip_on_launch"
    passing: ClassVar[tuple[object, ...]] = (False,)
    failure: ClassVar[str] = "Subnet {name} assigns a public IPv4 address to every instance launched in it."
