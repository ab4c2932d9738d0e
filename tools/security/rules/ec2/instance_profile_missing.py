"""Instance has no IAM instance profile.

The instance has no IAM role, so software on it needs long-lived access keys to call AWS (and
Systems Manager cannot manage it).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, PCI_DSS, Rule, Severity, Violation


class InstanceWithoutProfile(Rule):
    id: ClassVar[str] = "ec2-instance-profile-missing"
    title: ClassVar[str] = "Instance has no IAM instance profile"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "ec2_instance"
    description: ClassVar[str] = (
        "The instance has no IAM role, so software on it needs long-lived access keys to call AWS"
        " (and Systems Manager cannot manage it)."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.18",),
        PCI_DSS: ("7.2.1", "7.2.2", "7.2.5"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_instance_profile_attached",)
    remediation: ClassVar[str] = (
        "Attach an instance profile with a least-privilege role and remove any access keys stored"
        " on the instance."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "iam_instance_profile" not in attrs or attrs.get("state") in ("terminated", "shutting-down"):
            return None
        if attrs.get("iam_instance_profile"):
            return None
        return Violation(detail=f"Instance {resource.name} has no IAM instance profile.")
