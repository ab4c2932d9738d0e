"""enable_key_rotation: turn on yearly automatic rotation of a customer-managed KMS key."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, NoParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.kms.key_rotation import KeyRotationOff


class EnableKeyRotation(SettingAction):
    name: ClassVar[str] = "enable_key_rotation"
    description: ClassVar[str] = "Turn on automatic rotation for a customer-managed symmetric KMS key."
    resource_type: ClassVar[AnyResourceType] = "kms_key"
    params_model: ClassVar[type[ActionParams]] = NoParams
    permissions: ClassVar[tuple[str, ...]] = ("kms:GetKeyRotationStatus", "kms:EnableKeyRotation")
    rule: ClassVar[type[Rule] | None] = KeyRotationOff

    def describe(self, resource: Resource) -> dict[str, Any]:
        keys = ("manager", "state", "spec", "rotation_enabled")
        return {k: resource.attributes.get(k) for k in keys}

    def blocked(self, resource: Resource, params: ActionParams) -> str | None:
        attrs = resource.attributes
        if attrs.get("manager") != "CUSTOMER":
            return f"Key {resource.name} is AWS-managed; AWS rotates it."
        if attrs.get("spec") not in (None, "SYMMETRIC_DEFAULT"):
            return f"Key {resource.name} is {attrs.get('spec')}; only symmetric keys rotate automatically."
        if attrs.get("state") != "Enabled":
            state = attrs.get("state")
            return f"Key {resource.name} is {state}; rotation can only be turned on for enabled keys."
        return None

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        if resource.attributes.get("rotation_enabled"):
            return []
        return [f"enable automatic rotation of key {resource.id}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        return f"Turn on yearly automatic rotation for KMS key {resource.name} ({resource.region})."

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("kms", resource.region).enable_key_rotation(KeyId=resource.id)
