"""A VPC's default security group has rules.

Reads the normalised `security_group` attributes group_name, ingress and egress. Resources
land in the default group whenever no group is given, so it should allow nothing.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, Rule, Severity, Violation


class DefaultSecurityGroupOpen(Rule):
    id: ClassVar[str] = "ec2-default-sg-not-restricted"
    title: ClassVar[str] = "Default security group allows traffic"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "security_group"
    description: ClassVar[str] = "The VPC's default security group has inbound or outbound rules."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("5.4",),
        FSBP: ("EC2.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_securitygroup_default_restrict_traffic",)
    remediation: ClassVar[str] = (
        "Move any resources off the default group onto purpose-made groups, then remove all inbound and "
        "outbound rules from the default group (it cannot be deleted)."
    )

    def applies_to(self, resource: Resource) -> bool:
        return super().applies_to(resource) and resource.attributes.get("group_name") == "default"

    def evaluate(self, resource: Resource) -> Violation | None:
        inbound = len(resource.attributes.get("ingress") or [])
        outbound = len(resource.attributes.get("egress") or [])
        if not inbound and not outbound:
            return None
        vpc = resource.attributes.get("vpc_id") or "its VPC"
        return Violation(
            detail=f"Default security group of {vpc} has {inbound} inbound and {outbound} outbound rules."
        )
