"""enable_scan_on_push: scan images for vulnerabilities when they are pushed to an ECR repository."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.ecr.scan_on_push import EcrWithoutScanOnPush


class EnableScanOnPush(SettingAction):
    name: ClassVar[str] = "enable_scan_on_push"
    description: ClassVar[str] = (
        "Turn on scan on push for an ECR repository (new images are scanned for vulnerabilities)."
    )
    resource_type: ClassVar[AnyResourceType] = "ecr_repository"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = ("ecr:PutImageScanningConfiguration",)
    rule: ClassVar[type[Rule] | None] = EcrWithoutScanOnPush

    def describe(self, resource: Resource) -> dict[str, Any]:
        return {"scan_on_push": resource.attributes.get("scan_on_push")}

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        if resource.attributes.get("scan_on_push"):
            return []
        return [f"turn on scan on push for ECR repository {resource.id}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        return (
            f"Scan every image pushed to ECR repository {resource.id} ({resource.region}) for "
            "vulnerabilities. Images already in the repository are not rescanned; pushes are not blocked."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("ecr", resource.region).put_image_scanning_configuration(
            repositoryName=resource.id, imageScanningConfiguration={"scanOnPush": True}
        )
