"""How findings are shown: the result model shared by security_scan and list_findings, and its table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from store.finding_types import SEVERITY_ORDER, StoredFinding
from tools.presentation import Table
from tools.security.rules import get_rule

TABLE_ROWS = 50


class FindingView(BaseModel):
    id: str
    severity: str
    rule_id: str
    title: str
    service: str
    region: str
    account: str = ""
    resource_id: str
    resource_type: str
    detail: str
    status: str
    first_seen: datetime
    last_seen: datetime
    remediation: str = ""
    remediation_action: str | None = None
    remediation_params: dict[str, Any] = Field(default_factory=dict)
    compliance: list[str] = Field(default_factory=list)
    suppressed_reason: str | None = None
    suppressed_until: datetime | None = None


def finding_view(f: StoredFinding) -> FindingView:
    rule = get_rule(f.rule_id)
    return FindingView(
        id=f.id,
        severity=f.severity,
        rule_id=f.rule_id,
        title=f.title,
        service=f.service,
        region=f.region,
        account=f.account,
        resource_id=f.resource_id,
        resource_type=f.resource_type,
        detail=f.detail,
        status=f.status.value,
        first_seen=f.first_seen,
        last_seen=f.last_seen,
        remediation=rule.remediation if rule else "",
        remediation_action=f.remediation_action,
        remediation_params=f.remediation_params,
        compliance=rule.compliance_refs() if rule else [],
        suppressed_reason=f.suppressed_reason,
        suppressed_until=f.suppressed_until,
    )


def severity_counts(findings: Sequence[FindingView | StoredFinding]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings)
    return {s: counts[s] for s in SEVERITY_ORDER if counts[s]}


def severity_summary(findings: Sequence[FindingView | StoredFinding], noun: str = "finding") -> str:
    """E.g. "5 findings: 2 high, 3 medium"."""
    n = len(findings)
    head = f"{n} {noun}{'s' if n != 1 else ''}"
    counts = severity_counts(findings)
    return head + (": " + ", ".join(f"{c} {s}" for s, c in counts.items()) if counts else "")


def _fix(f: FindingView) -> str:
    if not f.remediation_action:
        return "manual"
    params = ", ".join(f"{k}={v}" for k, v in f.remediation_params.items())
    return f"{f.remediation_action}({params})"


def findings_table(findings: Sequence[FindingView], title: str) -> Table:
    shown = findings[:TABLE_ROWS]
    suffix = f" (first {len(shown)} of {len(findings)})" if len(shown) < len(findings) else ""
    return Table(
        title=title + suffix,
        columns=["Severity", "Rule", "Resource", "Region", "Detail", "Status", "Fix", "Finding"],
        rows=[
            [f.severity, f.rule_id, f.resource_id, f.region, f.detail, f.status, _fix(f), f.id] for f in shown
        ],
    )
