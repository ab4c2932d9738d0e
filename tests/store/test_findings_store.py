"""The finding lifecycle across scans, on a real SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from store import Store
from store.finding_types import FindingData, ScanReport, ScopeKey
from store.findings import FindingStore
from tools.security.engine import fingerprint

T0 = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
EVERYTHING = [
    ScopeKey(service="ec2", region="us-east-1"),
    ScopeKey(service="ec2", region="eu-west-1"),
    ScopeKey(service="s3", region=None),
]


@pytest.fixture
def findings(tmp_path: Path) -> Iterator[FindingStore]:
    store = Store(f"sqlite:///{tmp_path / 'findings.db'}")
    yield FindingStore(store)
    store.close()


def finding(
    resource: str,
    region: str = "us-east-1",
    service: str = "ec2",
    rule: str = "ec2-sg-open-admin-ports",
    severity: str = "high",
) -> FindingData:
    return FindingData(
        id=fingerprint(ACCOUNT, region, rule, resource),
        rule_id=rule,
        title="t",
        severity=severity,
        service=service,
        account=ACCOUNT,
        region=region,
        resource_id=resource,
        resource_type="security_group",
        detail=f"{resource} is open",
    )


def report(
    n: int, covered: list[ScopeKey] | None = None, resource_ids: list[str] | None = None
) -> ScanReport:
    at = T0 + timedelta(hours=n)
    return ScanReport(
        id=f"scan-{n}",
        started_at=at,
        finished_at=at + timedelta(minutes=1),
        account=ACCOUNT,
        regions=["us-east-1", "eu-west-1"],
        services=["ec2", "s3"],
        covered=EVERYTHING if covered is None else covered,
        resource_ids=resource_ids,
        resources_scanned=10,
    )


def statuses(store: FindingStore) -> dict[str, str]:
    return {f.resource_id: f.status.value for f in store.list(status=None, limit=500)}


def test_new_seen_again_resolved_and_reopened(findings: FindingStore) -> None:
    a, b = finding("sg-a"), finding("sg-b", region="eu-west-1")
    first = findings.record_scan(report(1), [a, b])
    assert first.new == 2 and first.scan.findings_open == 2
    assert {f.status.value for f in first.findings} == {"open"}

    second = findings.record_scan(report(2), [a])
    assert second.new == 0 and second.resolved == 1
    assert statuses(findings) == {"sg-a": "open", "sg-b": "resolved"}
    kept = findings.get(a.id)
    assert kept is not None and kept.first_seen == first.findings[0].first_seen
    assert kept.last_seen > kept.first_seen and kept.last_scan_id == "scan-2"
    resolved = findings.get(b.id)
    assert resolved is not None and resolved.resolved_at is not None

    third = findings.record_scan(report(3), [a, b])
    assert third.reopened == 1 and statuses(findings) == {"sg-a": "open", "sg-b": "open"}
    last = findings.last_scan()
    assert last is not None and last.id == "scan-3" and last.findings_open == 2


def test_only_the_scanned_scope_resolves(findings: FindingStore) -> None:
    us, eu, bucket = (
        finding("sg-us"),
        finding("sg-eu", region="eu-west-1"),
        finding(
            "acme-public", region="eu-west-1", service="s3", rule="s3-bucket-public", severity="critical"
        ),
    )
    findings.record_scan(report(1), [us, eu, bucket])
    # eu-west-1 EC2 could not be read: its finding must stay open.
    findings.record_scan(report(2, covered=[ScopeKey(service="ec2", region="us-east-1")]), [])
    assert statuses(findings) == {"sg-us": "resolved", "sg-eu": "open", "acme-public": "open"}
    # A scan of one resource says nothing about the others.
    findings.record_scan(report(3, resource_ids=["acme-public"]), [])
    assert statuses(findings) == {"sg-us": "resolved", "sg-eu": "open", "acme-public": "resolved"}


def test_suppressed_stays_suppressed_until_expiry(findings: FindingStore) -> None:
    a, b = finding("sg-a"), finding("sg-b")
    findings.record_scan(report(1), [a, b])
    now = T0 + timedelta(hours=1, minutes=5)
    muted = findings.suppress(a.id, reason="accepted risk: bastion", until=now + timedelta(days=7), now=now)
    forever = findings.suppress(b.id, reason="lab account", until=None, now=now)
    assert muted is not None and muted.status.value == "suppressed"
    assert forever is not None and forever.suppressed_until is None

    findings.record_scan(report(2), [a, b])  # still there: stays suppressed
    findings.record_scan(report(3), [])  # gone: still suppressed (not resolved) until expiry
    assert statuses(findings) == {"sg-a": "suppressed", "sg-b": "suppressed"}
    assert findings.list(status="open") == []
    assert findings.counts("suppressed") == {"high": 2}

    later = now + timedelta(days=8)
    assert [f.resource_id for f in findings.list(status="open", now=later)] == ["sg-a"]
    back = ScanReport(**{**report(4).model_dump(), "finished_at": later, "started_at": later})
    outcome = findings.record_scan(back, [a])
    assert [f.status.value for f in outcome.findings] == ["open"]
    assert statuses(findings) == {"sg-a": "open", "sg-b": "suppressed"}


def test_suppress_errors_and_filters(findings: FindingStore) -> None:
    assert findings.last_scan() is None
    assert findings.suppress("f-missing", reason="x", until=None, now=T0) is None
    a = finding("sg-a")
    findings.record_scan(
        report(1), [a, finding("acme-b", service="s3", rule="s3-bucket-public", severity="critical")]
    )
    with pytest.raises(ValueError, match="future"):
        findings.suppress(a.id, reason="x", until=T0, now=T0 + timedelta(hours=1))
    assert [f.severity for f in findings.list()] == ["critical", "high"]
    assert [f.resource_id for f in findings.list(service="S3")] == ["acme-b"]
    assert [f.resource_id for f in findings.list(severity="high")] == ["sg-a"]
    assert [f.resource_id for f in findings.list(resource_id="sg-a")] == ["sg-a"]
    assert len(findings.list(limit=1)) == 1


def test_fingerprint_is_stable_and_distinct() -> None:
    assert fingerprint("1", "us-east-1", "r", "x") == fingerprint("1", "us-east-1", "r", "x")
    assert fingerprint("1", "us-east-1", "r", "x") != fingerprint("1", "eu-west-1", "r", "x")
    assert len(fingerprint("1", "r", "r", "x")) <= 40


def test_scope_by_resource_type(findings: FindingStore) -> None:
    volume = finding("vol-1", service="ebs", rule="ebs-volume-unencrypted", severity="medium")
    default = FindingData(
        **{
            **finding(
                "ebs-encryption-by-default", service="ebs", rule="ebs-default-encryption-off"
            ).model_dump(),
            "resource_type": "ebs_encryption_default",
        }
    )
    volume = FindingData(**{**volume.model_dump(), "resource_type": "ebs_volume"})
    findings.record_scan(report(1, covered=[ScopeKey(service="ebs", region="us-east-1")]), [volume, default])
    # Volumes could not be read this time; the region setting could: only its finding may resolve.
    only_setting = [ScopeKey(service="ebs", region="us-east-1", resource_type="ebs_encryption_default")]
    findings.record_scan(report(2, covered=only_setting), [])
    assert statuses(findings) == {"vol-1": "open", "ebs-encryption-by-default": "resolved"}


def test_changes_between_scans(findings: FindingStore) -> None:
    a, b, c = finding("sg-a"), finding("sg-b"), finding("sg-c")
    findings.record_scan(report(1), [a, b])
    first = findings.last_scan()
    assert first is not None
    only = findings.changes(first, None)
    assert {f.resource_id for f in only.new} == {"sg-a", "sg-b"} and not only.resolved
    findings.record_scan(report(2), [b, c])
    second = findings.last_scan()
    assert second is not None and [s.id for s in findings.scans()] == ["scan-2", "scan-1"]
    diff = findings.changes(second, first)
    assert [f.resource_id for f in diff.new] == ["sg-c"]
    assert [f.resource_id for f in diff.resolved] == ["sg-a"]
    assert diff.still_open == 1
    assert findings.get_scan("scan-1") == first and findings.get_scan("nope") is None


def test_lift_suppression(findings: FindingStore) -> None:
    a = finding("sg-a")
    findings.record_scan(report(1), [a])
    findings.suppress(a.id, reason="lab", until=None, now=T0 + timedelta(hours=2))
    lifted = findings.lift_suppression(a.id)
    assert lifted is not None and lifted.status.value == "open" and lifted.suppressed_until is None
    assert findings.lift_suppression("f-missing") is None
