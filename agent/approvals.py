"""Approval decisions: who may decide, when, and exactly once. Enforced here, in code."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from config import ApprovalPolicy, Clock
from config.failpoints import Failpoints
from config.identity import Identities, IdentityError, shown
from store.approvals import Approval, ApprovalStatus, ApprovalStore, AuditEntry, plan_digest
from store.audit import AuditLog, record_key
from tools.base import ChangePlan

log = logging.getLogger("cloudpilot.agent")

class DecisionOutcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    REFUSED = "refused"  # the actor may not decide this request; nothing changed
    NOT_FOUND = "not_found"
    ALREADY_DECIDED = "already_decided"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Decision:
    outcome: DecisionOutcome
    message: str
    approval: Approval | None = None

    @property
    def resumes_graph(self) -> bool:
        return self.outcome in (DecisionOutcome.APPROVED, DecisionOutcome.REJECTED, DecisionOutcome.EXPIRED)


class ApprovalService:
    def __init__(
        self,
        approvals: ApprovalStore,
        audit: AuditLog,
        policy: ApprovalPolicy,
        clock: Clock,
        identities: Identities | None = None,
        failpoints: Failpoints | None = None,
    ) -> None:
        self.approvals = approvals
        self.audit = audit
        self.policy = policy
        # The real clock, never the pinned one: expiry and audit times must not follow `--now`.
        self.clock = clock
        self.failpoints = failpoints or Failpoints()
        # Requester, approver and policy are compared as people, not as the strings they typed.
        self.identities = identities or Identities()

    def approvers(self, action: str) -> list[str]:
        users, groups = self.policy.approvers_for(action)
        return sorted(users) + [f"@{g}" for g in sorted(groups)]

    def request(
        self,
        *,
        conversation_id: str,
        requester: str,
        channel: str,
        tool: str,
        args: dict[str, Any],
        plan: ChangePlan,
        turn_key: str | None = None,
        call_index: int = 0,
    ) -> Approval:
        """A pending request for `plan`, with its `request` audit record. With `turn_key` (the
        identity of the turn, e.g. the chat event its job answers) the request is made once per
        (turn_key, call_index): a turn run again after its worker was killed gets the request it
        made the first time, and no second audit record."""
        if turn_key is not None:
            earlier = self.approvals.by_turn(turn_key, call_index)
            if earlier is not None and earlier.conversation_id == conversation_id:
                return earlier
            if earlier is not None:
                # Keys are event identities, scoped by platform: this is a bug upstream, and another
                # conversation's request must never be handed out. Ask unkeyed instead.
                log.warning("turn key %r is taken by another conversation; request not keyed", turn_key[:80])
                turn_key = None
        now = self.clock.now()
        try:
            requester = self.identities.canonical(requester)
        except IdentityError as exc:
            self.audit.record(
                "refused",
                shown(requester),
                now,
                subject=f"{plan.action} {plan.resource_id}",
                detail={"reason": str(exc), "tool": tool},
                idem_key=record_key(turn_key, "refused", "request", call_index) if turn_key else None,
            )
            raise
        approval = self.approvals.create(
            conversation_id=conversation_id,
            requester=requester,
            channel=channel,
            tool=tool,
            action=plan.action,
            resource_id=plan.resource_id,
            args=args,
            plan=plan.model_dump(mode="json"),
            now=now,
            ttl=timedelta(minutes=self.policy.expiry_minutes),
            turn_key=turn_key,
            call_index=call_index,
            record=AuditEntry(
                "request",
                requester,
                now,
                subject=f"{plan.action} {plan.resource_id}",
                detail={
                    "tool": tool,
                    "args": args,
                    "plan": plan.model_dump(mode="json"),
                    # What the approval binds to: execution re-plans and must find the same hash.
                    "plan_hash": plan_digest(plan.model_dump(mode="json")),
                    "expires_at": (now + timedelta(minutes=self.policy.expiry_minutes)).isoformat(),
                },
            ),
        )
        self.failpoints.hit("after_request")
        return approval

    def earlier_request(self, turn_key: str, call_index: int, conversation_id: str) -> Approval | None:
        """The request this turn already made as its `call_index`-th change, if it did."""
        earlier = self.approvals.by_turn(turn_key, call_index)
        return earlier if earlier is not None and earlier.conversation_id == conversation_id else None

    def may_decide(self, approval: Approval, actor: str, actor_groups: set[str]) -> str | None:
        """None when `actor` may decide `approval`; otherwise the reason they may not."""
        try:
            actor = self.identities.canonical(actor)
            # Requests stored before identities were canonical still compare as people.
            requester = self.identities.canonical(approval.requester)
        except IdentityError as exc:
            return str(exc)
        if actor == requester:
            return "you requested this change; someone else must approve it (four eyes)"
        users, groups = self.policy.approvers_for(approval.action)
        if actor in {self.identities.canonical(u) for u in users} or actor_groups & groups:
            return None
        who = ", ".join(self.approvers(approval.action)) or "nobody (check the approval policy)"
        return f"{actor} is not an authorised approver for {approval.action} (approvers: {who})"

    def decide(
        self, approval_id: str, actor: str, approve: bool, actor_groups: set[str] | None = None
    ) -> Decision:
        now = self.clock.now()
        try:
            actor = self.identities.canonical(actor)
        except IdentityError as exc:
            known = self.approvals.get(approval_id)
            self.audit.record(
                "refused",
                shown(actor),
                now,
                approval_id=known.id if known else None,
                subject=f"{known.action} {known.resource_id}" if known else "",
                detail={"reason": str(exc)},
            )
            return Decision(DecisionOutcome.REFUSED, f"refused: {exc}", known)
        approval = self.approvals.get(approval_id)
        if approval is None:
            # Attempts on unknown ids are recorded too: probing for ids is worth seeing.
            self.audit.record(
                "attempt",
                actor,
                now,
                subject=f"decide {approval_id[:64]!r}",
                detail={"outcome": "not_found", "approve": approve},
            )
            return Decision(DecisionOutcome.NOT_FOUND, f"no approval request with id {approval_id!r}")
        if approval.status is not ApprovalStatus.PENDING:
            by = f" by {approval.decided_by}" if approval.decided_by else ""
            self.audit.record(
                "attempt",
                actor,
                now,
                approval_id=approval_id,
                subject=f"{approval.action} {approval.resource_id}",
                detail={"outcome": "already_decided", "status": approval.status.value, "approve": approve},
            )
            return Decision(
                DecisionOutcome.ALREADY_DECIDED,
                f"approval {approval_id} is already {approval.status.value}{by}; nothing was done",
                approval,
            )
        reason = self.may_decide(approval, actor, actor_groups or set())
        if reason is not None:
            self.audit.record(
                "refused",
                actor,
                now,
                approval_id=approval_id,
                subject=f"{approval.action} {approval.resource_id}",
                detail={"reason": reason},
            )
            return Decision(DecisionOutcome.REFUSED, f"refused: {reason}", approval)
        if approval.is_expired(now):
            if self.approvals.transition(
                approval_id,
                ApprovalStatus.PENDING,
                ApprovalStatus.EXPIRED,
                record=AuditEntry(
                    "expired",
                    "system",
                    now,
                    subject=f"{approval.action} {approval.resource_id}",
                    detail={"attempted_by": actor},
                ),
                decided_at=now,
            ):
                return Decision(
                    DecisionOutcome.EXPIRED,
                    f"approval {approval_id} expired at {approval.expires_at:%Y-%m-%d %H:%M} UTC; "
                    "ask again to get a fresh plan",
                    self.approvals.get(approval_id),
                )
            return self.decide(approval_id, actor, approve, actor_groups)
        new = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        if not self.approvals.transition(
            approval_id,
            ApprovalStatus.PENDING,
            new,
            record=AuditEntry(
                "decision",
                actor,
                now,
                subject=f"{approval.action} {approval.resource_id}",
                detail={"decision": new.value, "plan_hash": plan_digest(approval.plan)},
            ),
            decided_by=actor,
            decided_at=now,
        ):
            # Somebody else decided between our read and our write: report their decision.
            return self.decide(approval_id, actor, approve, actor_groups)
        self.failpoints.hit("after_decision")
        outcome = DecisionOutcome.APPROVED if approve else DecisionOutcome.REJECTED
        return Decision(outcome, f"{new.value} by {actor}", self.approvals.get(approval_id))

    def withdraw(self, approval_id: str, actor: str) -> Decision:
        """The requester takes back their own pending request; nobody else can."""
        now = self.clock.now()
        approval = self.approvals.get(approval_id)
        if approval is None:
            return Decision(DecisionOutcome.NOT_FOUND, f"no approval request with id {approval_id!r}")
        subject = f"{approval.action} {approval.resource_id}"
        try:
            same = self.identities.canonical(actor) == self.identities.canonical(approval.requester)
        except IdentityError as exc:
            same, reason = False, str(exc)
        else:
            reason = "only the person who asked for a change can withdraw it"
        if not same:
            self.audit.record(
                "refused",
                shown(actor),
                now,
                approval_id=approval_id,
                subject=subject,
                detail={"reason": reason, "withdraw": True},
            )
            return Decision(DecisionOutcome.REFUSED, f"refused: {reason}", approval)
        if approval.status is not ApprovalStatus.PENDING:
            return Decision(
                DecisionOutcome.ALREADY_DECIDED,
                f"approval {approval_id} is already {approval.status.value}; it can no longer be withdrawn",
                approval,
            )
        if not self.approvals.transition(
            approval_id,
            ApprovalStatus.PENDING,
            ApprovalStatus.WITHDRAWN,
            record=AuditEntry("withdrawn", approval.requester, now, subject=subject),
            decided_by=approval.requester,
            decided_at=now,
        ):
            return self.withdraw(approval_id, actor)  # decided meanwhile: report that
        return Decision(
            DecisionOutcome.WITHDRAWN,
            f"Withdrew approval {approval_id} ({subject}); nothing was changed.",
            self.approvals.get(approval_id),
        )

    def expire_stale(self) -> list[str]:
        """Mark pending requests past their expiry as expired (audited); returns their ids."""
        now = self.clock.now()
        expired: list[str] = []
        for approval in self.approvals.list(ApprovalStatus.PENDING, limit=1000):
            if approval.is_expired(now) and self.approvals.transition(
                approval.id,
                ApprovalStatus.PENDING,
                ApprovalStatus.EXPIRED,
                record=AuditEntry(
                    "expired", "system", now, subject=f"{approval.action} {approval.resource_id}"
                ),
                decided_at=now,
            ):
                expired.append(approval.id)
        return expired


def approval_status_line(approval: Approval, approvers: list[str]) -> str:
    """One answer about a request, from its stored record: what, where it stands, who decides."""
    what = (
        f"Approval {approval.id} ({approval.action} on {approval.resource_id}, asked by {approval.requester})"
    )
    status = approval.status
    if status is ApprovalStatus.PENDING:
        return (
            f"{what} is pending: waiting for one of {', '.join(approvers) or 'nobody (check the policy)'} "
            f"until {approval.expires_at:%Y-%m-%d %H:%M} UTC. Nothing has changed yet."
        )
    by = f" by {approval.decided_by}" if approval.decided_by else ""
    result = approval.result or {}
    detail = result.get("verification") or result.get("error") or ""
    tail = f" {detail}" if detail else ""
    return f"{what} is {status.value}{by}.{tail}".strip()
