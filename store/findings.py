"""The finding store: the lifecycle of a security finding across scans (types: `store.finding_types`).

A finding's id is a stable fingerprint of (account, region, rule, resource), so the same
problem keeps its id, its first_seen and its suppression across scans:

- seen for the first time            -> open (first_seen = now)
- seen again                         -> last_seen updated; resolved ones reopen
- not seen again, inside the scope   -> open ones become resolved
- suppressed                         -> stays suppressed until suppressed_until, then behaves as open

Only the scope that was actually scanned resolves anything: a region or service whose
collection failed, or a scan limited to one resource, leaves the rest untouched.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select

from store.db import Store
from store.finding_types import (
    FindingData,
    FindingStatus,
    ScanChanges,
    ScanInfo,
    ScanOutcome,
    ScanReport,
    StoredFinding,
    as_utc,
    severity_rank,
    suppression_active,
)
from store.models import FindingRow, ScanRow


def _opt_utc(dt: datetime | None) -> datetime | None:
    return as_utc(dt) if dt is not None else None


def _to_finding(row: FindingRow) -> StoredFinding:
    return StoredFinding(
        id=row.id,
        rule_id=row.rule_id,
        title=row.title,
        severity=row.severity,
        service=row.service,
        account=row.account,
        region=row.region,
        resource_id=row.resource_id,
        resource_type=row.resource_type,
        detail=row.detail,
        remediation_action=row.remediation_action,
        remediation_params=row.remediation_params or {},
        status=FindingStatus(row.status),
        first_seen=as_utc(row.first_seen),
        last_seen=as_utc(row.last_seen),
        last_scan_id=row.last_scan_id,
        resolved_at=_opt_utc(row.resolved_at),
        suppressed_reason=row.suppressed_reason,
        suppressed_until=_opt_utc(row.suppressed_until),
    )


def _to_scan(row: ScanRow) -> ScanInfo:
    return ScanInfo(
        id=row.id,
        started_at=as_utc(row.started_at),
        finished_at=_opt_utc(row.finished_at),
        account=row.account,
        regions=list(row.regions or []),
        services=list(row.services or []),
        errors=list(row.errors or []),
        resources_scanned=row.resources_scanned,
        findings_open=row.findings_open,
    )


def _suppression_active(row: FindingRow, now: datetime) -> bool:
    return suppression_active(row.status, row.suppressed_until, now)


def _in_scope(row: FindingRow, report: ScanReport) -> bool:
    if row.account != report.account:
        return False
    if report.resource_ids is not None and row.resource_id not in report.resource_ids:
        return False
    return any(
        key.service == row.service
        and (key.region is None or key.region == row.region)
        and (key.resource_type is None or key.resource_type == row.resource_type)
        for key in report.covered
    )


class FindingStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    def record_scan(self, report: ScanReport, findings: Sequence[FindingData]) -> ScanOutcome:
        """Store a finished scan and move every finding in its scope through the lifecycle."""
        now = as_utc(report.finished_at)
        observed = {f.id: f for f in findings}
        new = reopened = resolved = 0
        with self._store.session() as s:
            existing = {
                r.id: r for r in s.scalars(select(FindingRow).where(FindingRow.id.in_(list(observed))))
            }
            for fid, f in observed.items():
                row = existing.get(fid)
                if row is None:
                    row = FindingRow(
                        id=fid,
                        status=FindingStatus.OPEN.value,
                        first_seen=now,
                        remediation_params={},
                    )
                    s.add(row)
                    new += 1
                elif row.status == FindingStatus.RESOLVED:
                    row.status = FindingStatus.OPEN.value
                    row.resolved_at = None
                    reopened += 1
                elif row.status == FindingStatus.SUPPRESSED and not _suppression_active(row, now):
                    row.status = FindingStatus.OPEN.value
                    row.suppressed_until = None
                self._copy_observation(row, f, report.id, now)
            for row in s.scalars(select(FindingRow).where(FindingRow.status != FindingStatus.RESOLVED)):
                if row.id in observed or not _in_scope(row, report):
                    continue
                if _suppression_active(row, now):
                    continue
                row.status = FindingStatus.RESOLVED.value
                row.resolved_at = now
                row.suppressed_until = None
                resolved += 1
            s.flush()
            open_count = s.scalar(
                select(func.count())
                .select_from(FindingRow)
                .where(FindingRow.account == report.account, FindingRow.status == FindingStatus.OPEN)
            )
            scan_row = ScanRow(
                id=report.id,
                started_at=as_utc(report.started_at),
                finished_at=now,
                account=report.account,
                regions=list(report.regions),
                services=list(report.services),
                errors=list(report.errors),
                resources_scanned=report.resources_scanned,
                findings_open=int(open_count or 0),
            )
            s.add(scan_row)
            s.flush()
            stored = [
                _to_finding(r) for r in s.scalars(select(FindingRow).where(FindingRow.id.in_(list(observed))))
            ]
            scan = _to_scan(scan_row)
        stored.sort(key=lambda f: (severity_rank(f.severity), f.service, f.region, f.resource_id))
        return ScanOutcome(scan=scan, findings=stored, new=new, reopened=reopened, resolved=resolved)

    @staticmethod
    def _copy_observation(row: FindingRow, f: FindingData, scan_id: str, now: datetime) -> None:
        row.rule_id = f.rule_id
        row.title = f.title
        row.severity = f.severity
        row.service = f.service
        row.account = f.account
        row.region = f.region
        row.resource_id = f.resource_id
        row.resource_type = f.resource_type
        row.detail = f.detail
        row.remediation_action = f.remediation_action
        row.remediation_params = dict(f.remediation_params)
        row.last_seen = now
        row.last_scan_id = scan_id

    def list(
        self,
        *,
        severity: str | None = None,
        service: str | None = None,
        status: str | None = None,
        resource_id: str | None = None,
        rule_id: str | None = None,
        limit: int = 50,
        now: datetime | None = None,
        accounts: Collection[str] | None = None,
    ) -> list[StoredFinding]:
        """Findings, most severe first. With `now`, expired suppressions count as open. With
        `accounts`, only those accounts' findings (the access policy's view)."""
        with self._store.session() as s:
            q = select(FindingRow)
            if accounts is not None:
                q = q.where(FindingRow.account.in_(list(accounts)))
            if severity:
                q = q.where(FindingRow.severity == severity.lower())
            if service:
                q = q.where(FindingRow.service == service.lower())
            if resource_id:
                q = q.where(FindingRow.resource_id == resource_id)
            if rule_id:
                q = q.where(FindingRow.rule_id == rule_id)
            rows = list(s.scalars(q))
            out = []
            for row in rows:
                finding = _to_finding(row)
                expired = now is not None and not _suppression_active(row, as_utc(now))
                if row.status == FindingStatus.SUPPRESSED and expired:
                    finding.status = FindingStatus.OPEN
                if status is None or finding.status == status:
                    out.append(finding)
        out.sort(key=lambda f: (severity_rank(f.severity), f.service, f.region, f.resource_id, f.rule_id))
        return out[:limit]

    def get(self, finding_id: str) -> StoredFinding | None:
        with self._store.session() as s:
            row = s.get(FindingRow, finding_id)
            return _to_finding(row) if row else None

    def suppress(
        self, finding_id: str, *, reason: str, until: datetime | None, now: datetime
    ) -> StoredFinding | None:
        """Mute a finding (accepted risk) until `until` (None = until lifted)."""
        with self._store.session() as s:
            row = s.get(FindingRow, finding_id)
            if row is None:
                return None
            if until is not None and as_utc(until) <= as_utc(now):
                raise ValueError("suppression expiry must be in the future")
            row.status = FindingStatus.SUPPRESSED.value
            row.suppressed_reason = reason
            row.suppressed_until = as_utc(until) if until else None
            row.resolved_at = None
            s.flush()
            return _to_finding(row)

    def last_scan(
        self, account: str | None = None, accounts: Collection[str] | None = None
    ) -> ScanInfo | None:
        with self._store.session() as s:
            q = select(ScanRow).order_by(ScanRow.started_at.desc(), ScanRow.finished_at.desc())
            if account is not None:
                q = q.where(ScanRow.account == account)
            if accounts is not None:
                q = q.where(ScanRow.account.in_(list(accounts)))
            row = s.scalars(q.limit(1)).first()
            return _to_scan(row) if row else None

    def scans(
        self, account: str | None = None, limit: int = 20, accounts: Collection[str] | None = None
    ) -> Sequence[ScanInfo]:
        """Most recent first."""
        with self._store.session() as s:
            q = select(ScanRow).order_by(ScanRow.started_at.desc(), ScanRow.finished_at.desc())
            if account is not None:
                q = q.where(ScanRow.account == account)
            if accounts is not None:
                q = q.where(ScanRow.account.in_(list(accounts)))
            return [_to_scan(r) for r in s.scalars(q.limit(limit))]

    def get_scan(self, scan_id: str) -> ScanInfo | None:
        with self._store.session() as s:
            row = s.get(ScanRow, scan_id)
            return _to_scan(row) if row else None

    def changes(self, latest: ScanInfo, previous: ScanInfo | None) -> ScanChanges:
        """Findings that appeared or were resolved between `previous` and `latest`.

        A finding's first_seen and resolved_at are the finish times of the scans that saw it
        appear or go, so the window (previous finish, latest finish] holds exactly that history.
        """
        end = as_utc(latest.finished_at or latest.started_at)
        start = as_utc(previous.finished_at or previous.started_at) if previous else None

        def inside(moment: datetime | None) -> bool:
            return moment is not None and (start is None or start < moment) and moment <= end

        out = ScanChanges(latest=latest, previous=previous)
        with self._store.session() as s:
            for row in s.scalars(select(FindingRow).where(FindingRow.account == latest.account)):
                f = _to_finding(row)
                appeared, went = inside(f.first_seen), inside(f.resolved_at)
                if appeared and went:
                    continue  # came and went in between: no change from start to end
                if went:
                    out.resolved.append(f)
                elif appeared:
                    out.new.append(f)
                elif f.status == FindingStatus.OPEN and f.last_scan_id == latest.id:
                    out.still_open += 1
        for group in (out.new, out.resolved):
            group.sort(key=lambda f: (severity_rank(f.severity), f.service, f.region, f.resource_id))
        return out

    def lift_suppression(self, finding_id: str) -> StoredFinding | None:
        """End a suppression now: the finding is open again until a scan says otherwise."""
        with self._store.session() as s:
            row = s.get(FindingRow, finding_id)
            if row is None:
                return None
            if row.status == FindingStatus.SUPPRESSED:
                row.status = FindingStatus.OPEN.value
                row.suppressed_until = None
            s.flush()
            return _to_finding(row)

    def counts(self, status: str = FindingStatus.OPEN.value) -> dict[str, int]:
        """Findings per severity for one status."""
        with self._store.session() as s:
            rows = s.execute(
                select(FindingRow.severity, func.count())
                .where(FindingRow.status == status)
                .group_by(FindingRow.severity)
            ).all()
        return {sev: int(n) for sev, n in rows}
