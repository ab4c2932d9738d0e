"""enable_ebs_default_encryption: encrypt new EBS volumes by default in a region."""

from __future__ import annotations

from typing import ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.ebs.default_encryption import EbsDefaultEncryptionOff


class EnableEbsDefaultEncryption(SettingAction):
    name: ClassVar[str] = "enable_ebs_default_encryption"
    description: ClassVar[str] = (
        "Turn on EBS encryption by default in a region (new volumes only; existing ones are unchanged)."
    )
    resource_type: ClassVar[AnyResourceType] = "ebs_encryption_default"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = (
        "ec2:GetEbsEncryptionByDefault",
        "ec2:EnableEbsEncryptionByDefault",
    )
    rule: ClassVar[type[Rule] | None] = EbsDefaultEncryptionOff

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        if resource.attributes.get("enabled"):
            return []
        return [f"enable EBS encryption by default in {resource.region}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        return (
            f"Turn on EBS encryption by default in {resource.region}: new volumes and snapshot copies are "
            "encrypted with the default EBS key; existing volumes are not changed."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("ec2", resource.region).enable_ebs_encryption_by_default()
