"""What a remediation action is, and the lookups the actions share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tools.base import ChangePlan, ToolContext, UserFacingError, Verification
from tools.security.inventory import account_id, check_regions, gather, plan_tasks
from tools.security.resources import GLOBAL_REGION, Resource, ResourceType, type_label
from tools.security.rule import Rule


class ActionParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplyOutcome(BaseModel):
    changed: list[str] = Field(default_factory=list)
    # Planned changes that were already in place when applying (a repeat apply lands here).
    unchanged: list[str] = Field(default_factory=list)


class RemediationAction(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    resource_type: ClassVar[ResourceType]
    params_model: ClassVar[type[ActionParams]]
    permissions: ClassVar[tuple[str, ...]]
    rule: ClassVar[type[Rule]]

    def parse_params(self, params: dict[str, Any]) -> ActionParams:
        try:
            return self.params_model.model_validate(params)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'params'}: {e['msg']}" for e in exc.errors()
            )
            allowed = ", ".join(self.params_model.model_fields) or "none"
            raise UserFacingError(
                f"Invalid params for {self.name}: {problems}. Allowed params: {allowed}."
            ) from None

    @abstractmethod
    def plan(self, ctx: ToolContext, resource: Resource, params: ActionParams) -> ChangePlan:
        """Read the current state and list exactly what would change. Changes nothing."""

    @abstractmethod
    def apply(self, ctx: ToolContext, plan: ChangePlan) -> ApplyOutcome:
        """Make the planned changes that are not in place yet."""

    @abstractmethod
    def verify(self, ctx: ToolContext, plan: ChangePlan) -> Verification:
        """Confirm the planned changes hold, and re-run the rule on the resource."""

    def rule_check(self, resource: Resource) -> str:
        violation = self.rule().evaluate(resource)
        if violation is None:
            return f"{self.rule.id} now passes."
        return f"{self.rule.id} still fails: {violation.detail}"


def find_resource(
    ctx: ToolContext, resource_type: ResourceType, resource_id: str, region: str | None
) -> Resource:
    """The one resource `resource_id` names, searching the configured regions when none is given."""
    if region == GLOBAL_REGION:
        region = None
    regions = check_regions(ctx, [region] if region else [])
    gathered = gather(ctx, plan_tasks([resource_type], regions), lookup=resource_id)
    label = type_label(resource_type)
    if not gathered.resources:
        errors = "".join(f" Could not search {e.region}: {e.error}." for e in gathered.errors)
        raise UserFacingError(
            f"No {label} '{resource_id}' found in {', '.join(regions)}.{errors} Check the id"
            + (" and region." if region else ".")
        )
    if len(gathered.resources) > 1:
        matches = ", ".join(f"{r.id} ({r.region})" for r in gathered.resources)
        raise UserFacingError(
            f"'{resource_id}' matches {len(gathered.resources)} {type_label(resource_type, 2)}: {matches}. "
            "Give the id, or the region."
        )
    return gathered.resources[0]


def reload(ctx: ToolContext, plan: ChangePlan, resource_type: ResourceType) -> Resource:
    """The planned resource as it is now."""
    return find_resource(ctx, resource_type, plan.resource_id, plan.region)


def new_plan(ctx: ToolContext, action: str, resource: Resource, **fields: Any) -> ChangePlan:
    return ChangePlan(
        action=action, resource_id=resource.id, region=resource.region, account=account_id(ctx), **fields
    )
