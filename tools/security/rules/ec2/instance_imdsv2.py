"""EC2 instance that still accepts IMDSv1.

Reads the normalised `ec2_instance` attributes http_tokens ("required"/"optional") and
http_endpoint ("enabled"/"disabled").
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class InstanceWithoutImdsv2(Rule):
    id: ClassVar[str] = "ec2-instance-imdsv2"
    title: ClassVar[str] = "EC2 instance allows IMDSv1"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "ec2_instance"
    description: ClassVar[str] = (
        "The instance metadata service answers without a session token (IMDSv1), which SSRF bugs can "
        "abuse to steal the instance role's credentials."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("5.6",),
        FSBP: ("EC2.8",),
        PCI_DSS: ("8.2.8",),
        SOC2: ("CC7.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ec2_instance_imdsv2_enabled",)
    remediation: ClassVar[str] = (
        "Require IMDSv2: aws ec2 modify-instance-metadata-options --http-tokens required (check that the "
        "SDKs on the instance are recent enough), and set it in launch templates."
    )
    remediation_action: ClassVar[str | None] = "require_imdsv2"

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        tokens = attrs.get("http_tokens")
        if tokens is None or tokens == "required" or attrs.get("http_endpoint") == "disabled":
            return None
        if attrs.get("state") in ("terminated", "shutting-down"):
            return None
        return Violation(detail=f"Instance {resource.name} accepts IMDSv1 (http_tokens={tokens}).")
