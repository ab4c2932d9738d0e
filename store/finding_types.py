"""The vocabulary of security findings and scans, shared by the finding store and the tools.

What a scan observed (`FindingData`), what the store keeps (`StoredFinding`), what a scan
covered (`ScanReport`, `ScopeKey`) and what came of it, plus the two rules everyone applies the
same way: the severity order and when a suppression holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

SEVERITY_ORDER = ("critical", "high", "medium", "low")


class FindingStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    SUPPRESSED = "suppressed"


class FindingData(BaseModel):
    """What one scan observed: a rule that failed on one resource."""

    id: str
    rule_id: str
    title: str
    severity: str
    service: str
    account: str = ""
    region: str = ""
    resource_id: str
    resource_type: str = ""
    detail: str = ""
    remediation_action: str | None = None
    remediation_params: dict[str, Any] = Field(default_factory=dict)


class StoredFinding(FindingData):
    status: FindingStatus
    first_seen: datetime
    last_seen: datetime
    last_scan_id: str
    resolved_at: datetime | None = None
    suppressed_reason: str | None = None
    suppressed_until: datetime | None = None

    def suppressed_at(self, now: datetime) -> bool:
        """Suppressed and not expired at `now`."""
        return suppression_active(self.status, self.suppressed_until, now)


class ScopeKey(BaseModel):
    """One (service, region) pair a scan covered; region None covers every region of the service.

    With `resource_type` the key covers only that type's findings: a service whose regional
    collection failed in one region can still resolve the findings of its global types.
    """

    service: str
    region: str | None = None
    resource_type: str | None = None


class ScanReport(BaseModel):
    id: str
    started_at: datetime
    finished_at: datetime
    account: str = ""
    regions: list[str] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    # What was collected successfully; only findings inside it can be resolved.
    covered: list[ScopeKey] = Field(default_factory=list)
    # Set when the scan looked only at these resources.
    resource_ids: list[str] | None = None
    resources_scanned: int = 0
    errors: list[dict[str, Any]] = Field(default_factory=list)


class ScanInfo(BaseModel):
    id: str
    started_at: datetime
    finished_at: datetime | None
    account: str
    regions: list[str]
    services: list[str]
    errors: list[dict[str, Any]]
    resources_scanned: int
    findings_open: int


class ScanChanges(BaseModel):
    """What changed between two scans of an account."""

    latest: ScanInfo
    previous: ScanInfo | None
    new: list[StoredFinding] = Field(default_factory=list)
    resolved: list[StoredFinding] = Field(default_factory=list)
    # Open findings the latest scan saw that were already there before the window.
    still_open: int = 0


class ScanOutcome(BaseModel):
    scan: ScanInfo
    findings: list[StoredFinding]
    new: int = 0
    reopened: int = 0
    resolved: int = 0


def as_utc(dt: datetime) -> datetime:
    """`dt` in UTC, a naive one taken as UTC: SQLite hands back naive datetimes even for
    timezone=True columns, and everything stored is UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def suppression_active(status: str, until: datetime | None, now: datetime) -> bool:
    """A suppression holds until its expiry (None: until lifted)."""
    return status == FindingStatus.SUPPRESSED and (until is None or as_utc(until) > as_utc(now))


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
