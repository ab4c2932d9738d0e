"""What suppress_finding and unsuppress_finding share: reading the finding, naming it, and
writing the audit record under the approval that allowed the change."""

from __future__ import annotations

from typing import Any

from store.approvals import ApprovalStore
from store.audit import AuditLog
from store.finding_types import StoredFinding
from store.findings import FindingStore
from tools.base import ToolContext, UserFacingError


def label(f: StoredFinding) -> str:
    return f"{f.rule_id} on {f.resource_id} ({f.region})"


def get_finding(ctx: ToolContext, finding_id: str, where: str) -> StoredFinding:
    """The stored finding; `where` tells the user how to find ids when it does not exist."""
    finding = FindingStore(ctx.store).get(finding_id)
    if finding is None or not ctx.may_use_account(finding.account):
        # A finding in an account this channel may not see is reported like a missing one.
        raise UserFacingError(f"No finding '{finding_id}'. {where}")
    return finding


def audit(
    ctx: ToolContext, kind: str, idempotency_key: str, f: StoredFinding, detail: dict[str, Any]
) -> None:
    """One audit record: who asked (the approval's requester) and who approved."""
    approval = ApprovalStore(ctx.store).get(idempotency_key)
    AuditLog.from_settings(ctx.store, ctx.settings.audit).record(
        kind,
        approval.requester if approval else "unknown",
        ctx.clock.now(),
        approval_id=idempotency_key,
        subject=f"finding {f.id}",
        detail={
            "rule_id": f.rule_id,
            "resource_id": f.resource_id,
            "severity": f.severity,
            **detail,
            "approved_by": approval.decided_by if approval else None,
        },
    )
