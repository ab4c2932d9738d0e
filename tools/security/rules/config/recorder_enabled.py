"""AWS Config is not recording in a region.

Reads the normalised `config_recorder` attributes exists, recording, all_supported and
delivery_channel.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, SOC2, Rule, Severity, Violation


class ConfigNotRecording(Rule):
    id: ClassVar[str] = "config-recorder-enabled"
    title: ClassVar[str] = "AWS Config is not recording"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "config_recorder"
    description: ClassVar[str] = (
        "No configuration recorder records all resource types here, "
        "so configuration changes leave no history."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("3.3",),
        FSBP: ("Config.1",),
        SOC2: ("CC8.1", "CC3.4", "CC2.1"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("config_recorder_all_regions_enabled",)
    remediation: ClassVar[str] = (
        "Set up AWS Config in the region: a recorder for all supported resource types, a delivery channel "
        "to S3, and start the recorder (or deploy it to every region with a StackSet)."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "exists" not in attrs:
            return None
        if not attrs["exists"]:
            return Violation(detail=f"No AWS Config recorder in {resource.region}.")
        problems = []
        if not attrs.get("recording"):
            problems.append("is stopped")
        if not attrs.get("all_supported"):
            problems.append("does not record all resource types")
        if not attrs.get("delivery_channel"):
            problems.append("has no delivery channel")
        if not problems:
            return None
        name = attrs.get("name") or "recorder"
        return Violation(detail=f"Config recorder {name} in {resource.region} " + ", ".join(problems) + ".")
