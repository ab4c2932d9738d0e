"""deactivate_access_key: set one IAM access key to Inactive (it can be reactivated; nothing is deleted)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.iam.access_key_rotation import AccessKeyNotRotated
from tools.security.rules.iam.multiple_access_keys import MultipleActiveAccessKeys
from tools.security.rules.iam.unused_credentials import UnusedCredentials

KEY_RULES: tuple[type[Rule], ...] = (MultipleActiveAccessKeys, AccessKeyNotRotated, UnusedCredentials)


class DeactivateAccessKeyParams(ActionParams):
    access_key_id: str | None = Field(
        default=None,
        min_length=16,
        max_length=128,
        description="The key to deactivate; may be left out when the user has exactly one active key.",
    )


def _keys(resource: Resource) -> list[dict[str, Any]]:
    return list(resource.attributes.get("access_keys") or [])


class DeactivateAccessKey(SettingAction):
    name: ClassVar[str] = "deactivate_access_key"
    description: ClassVar[str] = (
        "Deactivate an IAM user's access key (status Inactive). Whatever uses the key starts failing; the "
        "key can be reactivated, and is not deleted."
    )
    resource_type: ClassVar[AnyResourceType] = "iam_user"
    params_model: ClassVar[type[ActionParams]] = DeactivateAccessKeyParams
    permissions: ClassVar[tuple[str, ...]] = ("iam:ListAccessKeys", "iam:UpdateAccessKey")
    rule: ClassVar[type[Rule] | None] = MultipleActiveAccessKeys

    def _target(self, resource: Resource, params: ActionParams) -> str | None:
        assert isinstance(params, DeactivateAccessKeyParams)
        if params.access_key_id:
            return params.access_key_id
        active = [k["id"] for k in _keys(resource) if k.get("status") == "Active"]
        return active[0] if len(active) == 1 else None

    def describe(self, resource: Resource) -> dict[str, Any]:
        return {
            "access_keys": [
                {k: key.get(k) for k in ("id", "status", "created", "last_used")} for key in _keys(resource)
            ]
        }

    def blocked(self, resource: Resource, params: ActionParams) -> str | None:
        assert isinstance(params, DeactivateAccessKeyParams)
        target = self._target(resource, params)
        if target is None:
            active = [k["id"] for k in _keys(resource) if k.get("status") == "Active"]
            if not active:
                return f"User {resource.id} has no active access key."
            return (
                f"User {resource.id} has {len(active)} active access keys ({', '.join(active)}); "
                'say which one with params {"access_key_id": "..."}.'
            )
        if not any(k.get("id") == target for k in _keys(resource)):
            return f"User {resource.id} has no access key {target}."
        return None

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        target = self._target(resource, params)
        key = next((k for k in _keys(resource) if k.get("id") == target), None)
        if key is None or key.get("status") != "Active":
            return []
        used = key.get("last_used") or "never"
        return [f"deactivate access key {target} of user {resource.id} (last used {used})"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        target = self._target(resource, params)
        return (
            f"Deactivate access key {target} of IAM user {resource.id}. Anything still signing requests with "
            "it will get AccessDenied; the key can be reactivated."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ctx.aws.client("iam", ctx.aws.regions[0]).update_access_key(
            UserName=resource.id, AccessKeyId=self._target(resource, params), Status="Inactive"
        )

    def rule_check(self, resource: Resource) -> str:
        parts = []
        for rule in KEY_RULES:
            violation = rule().evaluate(resource)
            parts.append(
                f"{rule.id} now passes" if violation is None else f"{rule.id} still fails: {violation.detail}"
            )
        return "; ".join(parts) + "."
