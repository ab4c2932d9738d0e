"""enable_bucket_versioning: turn on versioning for an S3 bucket."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.s3.bucket_versioning import BucketWithoutVersioning


class EnableBucketVersioning(SettingAction):
    name: ClassVar[str] = "enable_bucket_versioning"
    description: ClassVar[str] = (
        "Turn on versioning for an S3 bucket (existing objects are kept as they are)."
    )
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = ("s3:GetBucketVersioning", "s3:PutBucketVersioning")
    rule: ClassVar[type[Rule] | None] = BucketWithoutVersioning

    def describe(self, resource: Resource) -> dict[str, Any]:
        return {"versioning": resource.attributes.get("versioning")}

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        if resource.attributes.get("versioning") == "Enabled":
            return []
        return [f"enable versioning on bucket {resource.id}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        return (
            f"Turn on versioning for bucket {resource.id} ({resource.region}); older versions are then kept "
            "and billed until a lifecycle rule expires them."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("s3", resource.region).put_bucket_versioning(
            Bucket=resource.id, VersioningConfiguration={"Status": "Enabled"}
        )
