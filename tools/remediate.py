"""remediate: fix a security finding with a registered remediation action (mutating, needs approval)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.base import (
    ChangePlan,
    MutatingTool,
    ToolContext,
    ToolInput,
    ToolResult,
    ToolStatus,
    UserFacingError,
    Verification,
)
from tools.presentation import Table
from tools.remediation.base import find_resource
from tools.remediation.registry import all_permissions, get_action


class RemediateInput(ToolInput):
    action: Literal["revoke_ingress", "block_public_access"]
    resource_id: str = Field(min_length=1, description="sg-..., a bucket name, ...")
    region: str | None = Field(default=None, description="Found automatically when omitted.")
    params: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            'revoke_ingress: {"port": 22, "cidr": "0.0.0.0/0"} (both optional); block_public_access: {}'
        ),
    )


class RemediateResult(ToolResult):
    action: str
    resource_id: str
    region: str | None = None
    applied: bool = False
    changed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    verification: Verification | None = None
    idempotency_key: str = ""


class Remediate(MutatingTool[RemediateInput, RemediateResult]):
    name: ClassVar[str] = "remediate"
    description: ClassVar[str] = (
        "Fix a security misconfiguration: revoke_ingress removes internet-open SSH/RDP rules from a "
        "security group; block_public_access turns on S3 Block Public Access for a bucket. Shows a dry-run "
        "plan and changes AWS only after approval."
    )
    input_model: ClassVar[type[ToolInput]] = RemediateInput
    result_model: ClassVar[type[ToolResult]] = RemediateResult
    permissions: ClassVar[tuple[str, ...]] = all_permissions()

    def plan(self, ctx: ToolContext, args: RemediateInput) -> ChangePlan:
        action = get_action(args.action)
        params = action.parse_params(args.params)
        resource = find_resource(ctx, action.resource_type, args.resource_id, args.region)
        plan = action.plan(ctx, resource, params)
        plan.details["params"] = params.model_dump(exclude_none=True)
        return plan

    def apply(
        self, ctx: ToolContext, args: RemediateInput, plan: ChangePlan, idempotency_key: str
    ) -> RemediateResult:
        if plan.action != args.action:
            raise UserFacingError(f"The plan is for {plan.action}, not {args.action}; plan again.")
        action = get_action(plan.action)
        result = RemediateResult(
            action=plan.action,
            resource_id=plan.resource_id,
            region=plan.region,
            idempotency_key=idempotency_key,
        )
        if not plan.applicable:
            result.verification = action.verify(ctx, plan)
            result.message = plan.summary
            return result
        outcome = action.apply(ctx, plan)
        verification = action.verify(ctx, plan)
        result.applied = True
        result.changed = outcome.changed
        result.unchanged = outcome.unchanged
        result.verification = verification
        done = (
            f"Applied {len(outcome.changed)} change{'s' if len(outcome.changed) != 1 else ''}"
            if outcome.changed
            else "Nothing left to change (already applied)"
        )
        result.message = f"{done} on {plan.resource_id} ({plan.region}). {verification.message}"
        if not verification.ok:
            result.status = ToolStatus.ERROR
            result.message = f"{done}, but verification failed: {verification.message}"
        rows = [[c, "changed"] for c in outcome.changed] + [[c, "already done"] for c in outcome.unchanged]
        result.tables = [
            Table(title=f"{plan.action} on {plan.resource_id}", columns=["Change", "Result"], rows=rows)
        ]
        return result

    def verify(self, ctx: ToolContext, args: RemediateInput, plan: ChangePlan) -> Verification:
        return get_action(plan.action).verify(ctx, plan)
