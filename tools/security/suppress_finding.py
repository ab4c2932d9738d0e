"""suppress_finding: accept the risk of one finding for a while, with a reason (mutating, needs approval).

Suppressing changes only CloudPilot's own records, never the cloud. It still goes through the
approval gate, like a change to AWS: a suppressed finding drops out of scan results, scores
and digests, so one person silencing an alert alone (in a hurry, or with a borrowed chat
account) is exactly the failure four eyes exist to catch. Every suppression has a reason and
an expiry, and is written to the audit log with who asked and who approved.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar

from pydantic import Field, model_validator

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

DEFAULT_DAYS = 30
MAX_DAYS = 365


class SuppressFindingInput(ToolInput):
    finding_id: str = Field(
        min_length=3, max_length=64, description="The finding's id, e.g. f-0123456789abcdef."
    )
    reason: str = Field(min_length=3, max_length=500, description="Why the risk is accepted.")
    days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_DAYS,
        description=f"How long, in days ({DEFAULT_DAYS} when neither is given).",
    )
    until: date | None = Field(default=None, description="Or: the last day of the suppression (YYYY-MM-DD).")

    @model_validator(mode="after")
    def _one_expiry(self) -> SuppressFindingInput:
        if self.days is not None and self.until is not None:
            raise ValueError("give days or until, not both")
        return self


class SuppressFindingResult(ToolResult):
    finding_id: str
    suppressed_until: datetime | None = None
    reason: str = ""
    verification: Verification | None = None


def _expiry(ctx: ToolContext, args: SuppressFindingInput) -> datetime:
    now = ctx.clock.now()
    if args.until is not None:
        # The suppression covers the whole of the given day.
        until = datetime.combine(args.until + timedelta(days=1), time(), tzinfo=UTC)
        if until <= now:
            raise UserFacingError(f"The expiry {args.until.isoformat()} is in the past; give a future date.")
        if until - now > timedelta(days=MAX_DAYS + 1):
            raise UserFacingError(f"A suppression can last at most {MAX_DAYS} days; review it again then.")
        return until
    # Whole days (to the start of the day N days on): the plan then reads the same when it is
    # computed again at execution, which the approval binds to; a time of day would drift.
    return datetime.combine((now + timedelta(days=args.days or DEFAULT_DAYS)).date(), time(), tzinfo=UTC)


class SuppressFinding(MutatingTool[SuppressFindingInput, SuppressFindingResult]):
    name: ClassVar[str] = "suppress_finding"
    description: ClassVar[str] = (
        "Suppress (accept the risk of) one security finding for a number of days or until a date, with a "
        "reason. Changes only CloudPilot's records, not AWS, but needs an approval and is audited. "
        "Suppressed findings stay listed with list_findings status=suppressed and come back when it expires."
    )
    input_model: ClassVar[type[ToolInput]] = SuppressFindingInput
    result_model: ClassVar[type[ToolResult]] = SuppressFindingResult
    # Not an AWS permission: CloudPilot's own. Declared so the guard and the registry lint see a write.
    permissions: ClassVar[tuple[str, ...]] = ("cloudpilot:SuppressFinding",)

    def plan(self, ctx: ToolContext, args: SuppressFindingInput) -> ChangePlan:
        finding = get_finding(ctx, args.finding_id, "list_findings shows the ids (column Finding).")
        if finding.status == FindingStatus.RESOLVED:
            raise UserFacingError(
                f"Finding {finding.id} ({label(finding)}) is already resolved; nothing to suppress."
            )
        until = _expiry(ctx, args)
        details = {
            "finding_id": finding.id,
            "rule_id": finding.rule_id,
            "resource_id": finding.resource_id,
            "severity": finding.severity,
            "reason": args.reason,
            "until": until.isoformat(),
            "previous_status": finding.status.value,
            "previous_until": finding.suppressed_until.isoformat() if finding.suppressed_until else None,
        }
        already = (
            finding.status == FindingStatus.SUPPRESSED
            and finding.suppressed_until == until
            and finding.suppressed_reason == args.reason
        )
        when = until.date().isoformat()
        plan = ChangePlan(
            action=self.name,
            resource_id=finding.id,
            region=finding.region,
            account=finding.account or None,
            details=details,
            summary="",
        )
        if already:
            plan.applicable = False
            plan.summary = f"Finding {finding.id} is already suppressed until {when}."
            return plan
        verb = "Extend the suppression of" if finding.status == FindingStatus.SUPPRESSED else "Suppress"
        return plan.model_copy(
            update=dict(
                summary=f"{verb} {finding.severity} finding {finding.id} ({label(finding)}) "
                f"until {when}: {args.reason}",
                changes=[
                    f"mark finding {finding.id} suppressed until {until.isoformat(timespec='minutes')} "
                    f"(reason: {args.reason}); CloudPilot records only, AWS is not touched"
                ],
            )
        )

    def apply(
        self, ctx: ToolContext, args: SuppressFindingInput, plan: ChangePlan, idempotency_key: str
    ) -> SuppressFindingResult:
        until = datetime.fromisoformat(str(plan.details["until"]))
        reason = str(plan.details["reason"])
        now = ctx.clock.now()
        result = SuppressFindingResult(finding_id=plan.resource_id, suppressed_until=until, reason=reason)
        if until <= now:
            raise UserFacingError(
                f"This suppression would already have expired ({until.isoformat()}); ask again."
            )
        stored = FindingStore(ctx.store).suppress(plan.resource_id, reason=reason, until=until, now=now)
        if stored is None:
            raise UserFacingError(f"Finding {plan.resource_id} no longer exists.")
        audit(ctx, "suppression", idempotency_key, stored, {"reason": reason, "until": until.isoformat()})
        result.verification = self.verify(ctx, args, plan)
        result.message = (
            f"Finding {plan.resource_id} ({label(stored)}) is suppressed "
            f"until {until.date().isoformat()}: {reason}."
        )
        return result

    def verify(self, ctx: ToolContext, args: SuppressFindingInput, plan: ChangePlan) -> Verification:
        finding = FindingStore(ctx.store).get(plan.resource_id)
        until = datetime.fromisoformat(str(plan.details["until"]))
        if finding is None:
            return Verification(ok=False, message=f"Finding {plan.resource_id} no longer exists.")
        if finding.status != FindingStatus.SUPPRESSED or finding.suppressed_until != until:
            return Verification(ok=False, message=f"Finding {plan.resource_id} is {finding.status.value}.")
        return Verification(
            ok=True, message=f"Finding {plan.resource_id} is suppressed until {until.date().isoformat()}."
        )
