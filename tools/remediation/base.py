"""What a remediation action is, and the lookups the actions share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tools.base import ChangePlan, ToolContext, UserFacingError, Verification
from tools.inventory.inventory import account_id, check_regions, gather, plan_tasks
from tools.inventory.kinds import type_label
from tools.inventory.resources import GLOBAL_REGION, AnyResourceType, Resource
from tools.security.rule import Rule


class ActionParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoParams(ActionParams):
    """For actions that take no parameters."""


class ApplyOutcome(BaseModel):
    changed: list[str] = Field(default_factory=list)
    # Planned changes that were already in place when applying (a repeat apply lands here).
    unchanged: list[str] = Field(default_factory=list)


class RemediationAction(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    resource_type: ClassVar[AnyResourceType]
    params_model: ClassVar[type[ActionParams]]
    permissions: ClassVar[tuple[str, ...]]
    # The rule whose findings this action fixes; verify re-runs it. None for actions that
    # tidy up rather than fix a finding (stopping an instance, changing a volume type).
    rule: ClassVar[type[Rule] | None] = None

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

    def planned_params(self, plan: ChangePlan) -> ActionParams:
        """The parameters the approved plan was computed with."""
        return self.params_model.model_validate(plan.details.get("params") or {})

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
        if self.rule is None:
            return ""
        violation = self.rule().evaluate(resource)
        if violation is None:
            return f"{self.rule.id} now passes."
        return f"{self.rule.id} still fails: {violation.detail}"


class SettingAction(RemediationAction):
    """An action that brings one resource to a wanted state.

    Subclasses say what is still to do on a resource as it is now (`pending`, one readable
    line per change) and how to do it (`change`). Plan, apply and verify all derive from
    `pending`, so a repeated apply changes nothing and verify checks the very same thing.
    """

    # True for actions that remove the resource: it being gone means done.
    removes: ClassVar[bool] = False

    @abstractmethod
    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        """Changes still needed on `resource`; empty when it is already as wanted."""

    @abstractmethod
    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        """Make the changes `todo` lists."""

    @abstractmethod
    def summary(self, resource: Resource, params: ActionParams) -> str:
        """One sentence saying what the action will do, e.g. "Stop instance i-0123 (web-1)"."""

    def blocked(self, resource: Resource, params: ActionParams) -> str | None:
        """Why the action must not run on this resource (None when it may)."""
        return None

    def describe(self, resource: Resource) -> dict[str, Any]:
        """The state the plan records as "before"."""
        return {}

    def plan(self, ctx: ToolContext, resource: Resource, params: ActionParams) -> ChangePlan:
        details: dict[str, Any] = {"before": self.describe(resource)}
        if self.rule is not None:
            violation = self.rule().evaluate(resource)
            details["finding"] = violation.detail if violation else None
        reason = self.blocked(resource, params)
        if reason:
            return new_plan(ctx, self.name, resource, applicable=False, details=details, summary=reason)
        todo = self.pending(resource, params)
        label = f"{type_label(resource.type)} {resource.id} ({resource.region})"
        if not todo:
            return new_plan(
                ctx,
                self.name,
                resource,
                applicable=False,
                details=details,
                summary=f"Nothing to change: {label} is already as wanted.",
            )
        return new_plan(
            ctx, self.name, resource, details=details, summary=self.summary(resource, params), changes=todo
        )

    def apply(self, ctx: ToolContext, plan: ChangePlan) -> ApplyOutcome:
        params = self.planned_params(plan)
        resource = find_optional(ctx, self.resource_type, plan.resource_id, plan.region)
        if resource is None:
            if self.removes:
                return ApplyOutcome(unchanged=[f"{c}: already done" for c in plan.changes])
            raise UserFacingError(
                f"{plan.resource_id} no longer exists in {plan.region}; nothing was changed."
            )
        reason = self.blocked(resource, params)
        if reason:
            raise UserFacingError(f"Not applied: {reason}")
        todo = self.pending(resource, params)
        outcome = ApplyOutcome(unchanged=[f"{c}: already done" for c in plan.changes if c not in todo])
        if todo:
            self.change(ctx, resource, params, todo)
            outcome.changed = todo
        return outcome

    def verify(self, ctx: ToolContext, plan: ChangePlan) -> Verification:
        params = self.planned_params(plan)
        resource = find_optional(ctx, self.resource_type, plan.resource_id, plan.region)
        if resource is None:
            if self.removes:
                return Verification(ok=True, message=f"{plan.resource_id} is gone from {plan.region}.")
            return Verification(ok=False, message=f"{plan.resource_id} no longer exists in {plan.region}.")
        left = self.pending(resource, params)
        check = self.rule_check(resource)
        if left:
            return Verification(
                ok=False,
                message=f"Still to do on {plan.resource_id}: " + "; ".join(left) + f". {check}".rstrip(),
            )
        return Verification(ok=True, message=f"{plan.resource_id} is as planned. {check}".strip())


def find_optional(
    ctx: ToolContext, resource_type: AnyResourceType, resource_id: str, region: str | None
) -> Resource | None:
    """The resource as it is now, or None when it does not exist (any other failure raises)."""
    if region == GLOBAL_REGION:
        region = None
    regions = check_regions(ctx, [region] if region else [])
    gathered = gather(ctx, plan_tasks([resource_type], regions), lookup=resource_id)
    if gathered.errors:
        e = gathered.errors[0]
        raise UserFacingError(f"Could not read {type_label(resource_type, 2)} in {e.region}: {e.error}.")
    if len(gathered.resources) > 1:
        raise UserFacingError(
            f"'{resource_id}' matches {len(gathered.resources)} resources; give the region."
        )
    return gathered.resources[0] if gathered.resources else None


def find_resource(
    ctx: ToolContext, resource_type: AnyResourceType, resource_id: str, region: str | None
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


def reload(ctx: ToolContext, plan: ChangePlan, resource_type: AnyResourceType) -> Resource:
    """The planned resource as it is now."""
    return find_resource(ctx, resource_type, plan.resource_id, plan.region)


def new_plan(ctx: ToolContext, action: str, resource: Resource, **fields: Any) -> ChangePlan:
    return ChangePlan(
        action=action, resource_id=resource.id, region=resource.region, account=account_id(ctx), **fields
    )
