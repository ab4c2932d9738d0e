"""unsuppress_finding: end a suppression before it expires (mutating, needs approval).

The finding is open again at once (until a scan finds it fixed) and shows in scans, scores and
digests. It goes through the approval gate like suppressing does: both change what the team is
told about a risk, and both land in the audit log with who asked and who approved.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from store.finding_types import FindingStatus
from store.findings import FindingStore
from tools.base import (
    ChangePlan,
    MutatingTool,
    ToolContext,
    ToolInput,
    ToolResult,
    UserFacingError,
    Verification,
)
from tools.security.suppression import audit, get_finding, label


class UnsuppressFindingInput(ToolInput):
    finding_id: str = Field(
        min_length=3, max_length=64, description="The suppressed finding's id, e.g. f-0123456789abcdef."
    )
    reason: str | None = Field(default=None, max_length=500, description="Why, for the audit log.")


class UnsuppressFindingResult(ToolResult):
    finding_id: str
    verification: Verification | None = None


class UnsuppressFinding(MutatingTool[UnsuppressFindingInput, UnsuppressFindingResult]):
    name: ClassVar[str] = "unsuppress_finding"
    description: ClassVar[str] = (
        "Lift the suppression of one security finding before it expires, so that it is open and reported "
        "again. Changes only CloudPilot's records, not AWS; needs an approval and is audited."
    )
    input_model: ClassVar[type[ToolInput]] = UnsuppressFindingInput
    result_model: ClassVar[type[ToolResult]] = UnsuppressFindingResult
    # CloudPilot's own permission, as for suppress_finding: a write the guard and the lint see.
    permissions: ClassVar[tuple[str, ...]] = ("cloudpilot:UnsuppressFinding",)

    def plan(self, ctx: ToolContext, args: UnsuppressFindingInput) -> ChangePlan:
        finding = get_finding(
            ctx, args.finding_id, "list_findings status=suppressed shows the suppressed ones."
        )
        active = finding.suppressed_at(ctx.clock.now())
        plan = ChangePlan(
            action=self.name,
            resource_id=finding.id,
            region=finding.region,
            account=finding.account or None,
            details={
                "finding_id": finding.id,
                "rule_id": finding.rule_id,
                "resource_id": finding.resource_id,
                "severity": finding.severity,
                "reason": args.reason,
                "suppressed_reason": finding.suppressed_reason,
                "suppressed_until": finding.suppressed_until.isoformat()
                if finding.suppressed_until
                else None,
            },
            summary="",
        )
        if not active:
            state = "expired" if finding.status == FindingStatus.SUPPRESSED else finding.status.value
            plan.applicable = False
            plan.summary = (
                f"Finding {finding.id} ({label(finding)}) is not suppressed ({state}); nothing to lift."
            )
            return plan
        until = finding.suppressed_until.date().isoformat() if finding.suppressed_until else "lifted"
        why = f": {args.reason}" if args.reason else ""
        return plan.model_copy(
            update=dict(
                summary=f"Lift the suppression of {finding.severity} finding {finding.id} "
                f"({label(finding)}), suppressed until {until} ({finding.suppressed_reason}){why}",
                changes=[
                    f"mark finding {finding.id} open again; CloudPilot records only, AWS is not touched"
                ],
            )
        )

    def apply(
        self, ctx: ToolContext, args: UnsuppressFindingInput, plan: ChangePlan, idempotency_key: str
    ) -> UnsuppressFindingResult:
        result = UnsuppressFindingResult(finding_id=plan.resource_id)
        if not plan.applicable:
            result.message = plan.summary
            result.verification = self.verify(ctx, args, plan)
            return result
        stored = FindingStore(ctx.store).lift_suppression(plan.resource_id)
        if stored is None:
            raise UserFacingError(f"Finding {plan.resource_id} no longer exists.")
        detail = {
            "reason": plan.details.get("reason"),
            "was_suppressed_until": plan.details.get("suppressed_until"),
        }
        audit(ctx, "unsuppression", idempotency_key, stored, detail)
        result.verification = self.verify(ctx, args, plan)
        result.message = f"Finding {plan.resource_id} ({label(stored)}) is open again."
        return result

    def verify(self, ctx: ToolContext, args: UnsuppressFindingInput, plan: ChangePlan) -> Verification:
        finding = FindingStore(ctx.store).get(plan.resource_id)
        if finding is None:
            return Verification(ok=False, message=f"Finding {plan.resource_id} no longer exists.")
        if finding.suppressed_at(ctx.clock.now()):
            return Verification(ok=False, message=f"Finding {plan.resource_id} is still suppressed.")
        return Verification(ok=True, message=f"Finding {plan.resource_id} is {finding.status.value}.")
