"""enable_bucket_encryption: set default server-side encryption on an S3 bucket."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.s3.bucket_encryption import BucketWithoutEncryption


class BucketEncryptionParams(ActionParams):
    algorithm: Literal["AES256", "aws:kms"] = Field(
        default="AES256", description="AES256 (SSE-S3) or aws:kms (SSE-KMS)."
    )
    kms_key_id: str | None = Field(
        default=None, description="With aws:kms: the key; the AWS-managed key when omitted."
    )

    @model_validator(mode="after")
    def _key_needs_kms(self) -> BucketEncryptionParams:
        if self.kms_key_id and self.algorithm != "aws:kms":
            raise ValueError("kms_key_id is only used with algorithm aws:kms")
        return self


class EnableBucketEncryption(SettingAction):
    name: ClassVar[str] = "enable_bucket_encryption"
    description: ClassVar[str] = "Set default encryption (SSE-S3 or SSE-KMS) on an S3 bucket that has none."
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    params_model: ClassVar[type[ActionParams]] = BucketEncryptionParams
    permissions: ClassVar[tuple[str, ...]] = (
        "s3:GetEncryptionConfiguration",
        "s3:PutEncryptionConfiguration",
    )
    rule: ClassVar[type[Rule] | None] = BucketWithoutEncryption

    def describe(self, resource: Resource) -> dict[str, Any]:
        return {"encryption": resource.attributes.get("encryption")}

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        assert isinstance(params, BucketEncryptionParams)
        if resource.attributes.get("encryption"):
            return []
        key = f" with key {params.kms_key_id}" if params.kms_key_id else ""
        return [f"set default encryption {params.algorithm}{key} on bucket {resource.id}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        assert isinstance(params, BucketEncryptionParams)
        return (
            f"Turn on default encryption ({params.algorithm}) for bucket {resource.id} ({resource.region})."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        assert isinstance(params, BucketEncryptionParams)
        default: dict[str, Any] = {"SSEAlgorithm": params.algorithm}
        if params.kms_key_id:
            default["KMSMasterKeyID"] = params.kms_key_id
        rule: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": default}
        if params.algorithm == "aws:kms":
            rule["BucketKeyEnabled"] = True
        ctx.aws.client("s3", resource.region).put_bucket_encryption(
            Bucket=resource.id, ServerSideEncryptionConfiguration={"Rules": [rule]}
        )
