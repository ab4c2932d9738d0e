"""enable_guardduty: turn GuardDuty on in a region (create a detector, or re-enable a suspended one)."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.guardduty.enabled import GuardDutyOff


class EnableGuardDuty(SettingAction):
    name: ClassVar[str] = "enable_guardduty"
    description: ClassVar[str] = (
        "Turn on GuardDuty in a region: create an enabled detector, or re-enable a suspended one."
    )
    resource_type: ClassVar[AnyResourceType] = "guardduty_detector"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = (
        "guardduty:CreateDetector",
        "guardduty:UpdateDetector",
        "iam:CreateServiceLinkedRole",
    )
    rule: ClassVar[type[Rule] | None] = GuardDutyOff

    def describe(self, resource: Resource) -> dict[str, Any]:
        return {k: resource.attributes.get(k) for k in ("exists", "detector_id", "enabled")}

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        attrs = resource.attributes
        if attrs.get("enabled"):
            return []
        if attrs.get("detector_id"):
            return [f"re-enable GuardDuty detector {attrs['detector_id']} in {resource.region}"]
        return [f"create an enabled GuardDuty detector in {resource.region}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        return (
            f"Turn on GuardDuty in {resource.region}: it analyses CloudTrail, VPC flow log and DNS events "
            "for threats. Billed by the volume analysed (a 30-day free trial for a first detector); it "
            "can be suspended or removed again."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        gd = ctx.aws.client("guardduty", resource.region)
        detector = resource.attributes.get("detector_id")
        if detector:
            gd.update_detector(DetectorId=detector, Enable=True)
        else:
            gd.create_detector(Enable=True, FindingPublishingFrequency="SIX_HOURS")
