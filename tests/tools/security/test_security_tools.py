"""security_score, scan_changes and suppress_finding called directly, bad input included; and an
assumed role that cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from store import Store
from store.approvals import ApprovalStore
from store.audit import AuditLog
from store.findings import FindingStore
from tests.conftest import make_settings, reset_moto
from tools.base import ChangePlan, ToolContext, ToolStatus, UserFacingError
from tools.inventory.aws import AwsClients
from tools.inventory.kinds import KINDS
from tools.security.list_findings import ListFindings
from tools.security.rule import CIS_AWS, FRAMEWORKS, PCI_DSS
from tools.security.scan_changes import ScanChanges
from tools.security.security_scan import SERVICES, SecurityScan
from tools.security.security_score import SecurityScore, resolve_framework
from tools.security.suppress_finding import SuppressFinding
from tools.security.unsuppress_finding import UnsuppressFinding

R = "eu-west-1"


@pytest.fixture(scope="module")
def endpoint(moto_endpoint: str) -> str:
    """An account with two unencrypted volumes and one encrypted."""
    reset_moto(moto_endpoint)
    settings = make_settings(Path("/nonexistent"), moto_endpoint)
    ec2 = AwsClients(settings.aws).client("ec2", R)
    for encrypted in (False, False, True):
        ec2.create_volume(AvailabilityZone=f"{R}a", Size=10, Encrypted=encrypted)
    return moto_endpoint


@pytest.fixture
def tctx(endpoint: str, tmp_path: Path) -> Iterator[ToolContext]:
    settings = make_settings(tmp_path / "data", endpoint)
    store = Store(settings.sqlalchemy_url)
    yield ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)
    store.close()


def run(tool: Any, ctx: ToolContext, **args: Any) -> Any:
    return tool.run(ctx, tool.parse(args))


def scan_ebs(ctx: ToolContext) -> Any:
    return run(SecurityScan(), ctx, services=["ebs"], regions=[R])


def test_score_per_framework(tctx: ToolContext) -> None:
    none = run(SecurityScore(), tctx)
    assert none.status == ToolStatus.NO_DATA and "security_scan" in none.message
    scan_ebs(tctx)
    every = run(SecurityScore(), tctx)
    assert [s.framework for s in every.scores] == list(FRAMEWORKS)
    cis = next(s for s in every.scores if s.framework == CIS_AWS)
    # EBS rules map to CIS 2.2.1 only: volumes unencrypted, default encryption off -> it fails.
    assert (cis.controls, cis.passed, cis.failed, cis.score_pct) == (1, 0, 1, 0.0)
    assert [c.control for c in cis.failing] == ["2.2.1"] and cis.failing[0].open_findings == 3
    assert every.services == ["ebs"] and len(every.tables) == 1
    pci = run(SecurityScore(), tctx, framework="PCI")
    assert [s.framework for s in pci.scores] == [PCI_DSS] and pci.tables[-1].title.startswith(
        "Failing controls"
    )
    assert pci.message.startswith("PCI DSS v4.0: ")
    with pytest.raises(UserFacingError, match="Unknown framework 'hipaa'"):
        run(SecurityScore(), tctx, framework="hipaa")
    assert resolve_framework("soc 2") == "SOC 2 (TSC 2017)" and resolve_framework("cis") == CIS_AWS


def test_changes_between_scans(tctx: ToolContext) -> None:
    assert run(ScanChanges(), tctx).status == ToolStatus.NO_DATA
    first = scan_ebs(tctx)
    only = run(ScanChanges(), tctx)
    assert only.message.startswith(f"Only one scan so far ({first.scan_id}")
    assert len(only.new) == 3 and only.previous_scan_id is None
    ec2 = tctx.aws.client("ec2", R)
    vol = ec2.create_volume(AvailabilityZone=f"{R}a", Size=5, Encrypted=False)["VolumeId"]
    try:
        second = scan_ebs(tctx)
        diff = run(ScanChanges(), tctx)
        assert diff.latest_scan_id == second.scan_id and diff.previous_scan_id == first.scan_id
        assert [f.resource_id for f in diff.new] == [vol] and diff.resolved == [] and diff.still_open == 3
        assert "1 new finding" in diff.message and "3 still open" in diff.message
    finally:
        ec2.delete_volume(VolumeId=vol)
    third = scan_ebs(tctx)
    back = run(ScanChanges(), tctx)
    assert [f.resource_id for f in back.resolved] == [vol] and back.latest_scan_id == third.scan_id
    since_first = run(ScanChanges(), tctx, since_scan_id=first.scan_id)
    assert since_first.new == [] and since_first.resolved == []  # appeared and went in between
    with pytest.raises(UserFacingError, match="No scan 'scan-nope'"):
        run(ScanChanges(), tctx, since_scan_id="scan-nope")


def test_suppress_plan_apply_verify(tctx: ToolContext) -> None:
    scan = scan_ebs(tctx)
    volume = next(f for f in scan.findings if f.rule_id == "ebs-volume-unencrypted")
    tool = SuppressFinding()
    args = tool.parse({"finding_id": volume.id, "reason": "scratch disk, wiped nightly", "days": 7})
    plan = tool.plan(tctx, args)
    assert plan.applicable and plan.action == "suppress_finding" and plan.resource_id == volume.id
    assert "CloudPilot records only" in plan.changes[0]
    assert plan.details["until"].startswith("2024-10-22")
    result = tool.apply(tctx, args, plan, idempotency_key="ap-test")
    assert result.verification is not None and result.verification.ok
    assert result.message.endswith("is suppressed until 2024-10-22: scratch disk, wiped nightly.")
    records = AuditLog(tctx.store).list(approval_id="ap-test")
    assert [(r.kind, r.actor) for r in records] == [("suppression", "unknown")]  # no approval in this test
    assert records[0].detail["reason"] == "scratch disk, wiped nightly"
    assert ApprovalStore(tctx.store).get("ap-test") is None
    again = tool.plan(tctx, args.model_copy(update={"days": None, "until": date(2024, 10, 25)}))
    assert again.applicable and again.summary.startswith("Extend the suppression")
    rescan = scan_ebs(tctx)
    assert rescan.suppressed == 1 and sum(rescan.counts.values()) == 2


def test_suppress_refuses_bad_requests(tctx: ToolContext) -> None:
    tool = SuppressFinding()
    with pytest.raises(UserFacingError, match="No finding 'f-0000000000000000'"):
        tool.plan(tctx, tool.parse({"finding_id": "f-0000000000000000", "reason": "because"}))
    with pytest.raises(ValidationError, match="give days or until, not both"):
        tool.parse({"finding_id": "f-1", "reason": "because", "days": 3, "until": "2030-01-01"})
    with pytest.raises(ValidationError):
        tool.parse({"finding_id": "f-1", "reason": "no"})
    with pytest.raises(ValidationError):
        tool.parse({"finding_id": "f-1", "reason": "because", "days": 400})
    finding = scan_ebs(tctx).findings[0]
    past = tool.parse({"finding_id": finding.id, "reason": "because", "until": date(2024, 10, 1)})
    with pytest.raises(UserFacingError, match="in the past"):
        tool.plan(tctx, past)
    far = tool.parse(
        {"finding_id": finding.id, "reason": "because", "until": date(2024, 10, 15) + timedelta(days=400)}
    )
    with pytest.raises(UserFacingError, match="at most 365 days"):
        tool.plan(tctx, far)
    expired = ChangePlan(
        action="suppress_finding",
        resource_id=finding.id,
        summary="x",
        details={"until": "2024-01-01T00:00:00+00:00", "reason": "because"},
    )
    with pytest.raises(UserFacingError, match="already have expired"):
        tool.apply(tctx, tool.parse({"finding_id": finding.id, "reason": "because"}), expired, "ap-x")


def test_unsuppress_plan_apply_verify_and_refusals(tctx: ToolContext) -> None:
    volume = next(f for f in scan_ebs(tctx).findings if f.rule_id == "ebs-volume-unencrypted")
    tool = UnsuppressFinding()
    with pytest.raises(UserFacingError, match="No finding 'f-0000000000000000'"):
        tool.plan(tctx, tool.parse({"finding_id": "f-0000000000000000"}))
    with pytest.raises(ValidationError):
        tool.parse({"finding_id": volume.id, "until": "2030-01-01"})
    open_one = tool.plan(tctx, tool.parse({"finding_id": volume.id}))
    assert not open_one.applicable and "is not suppressed (open)" in open_one.summary

    suppress = SuppressFinding()
    s_args = suppress.parse({"finding_id": volume.id, "reason": "scratch disk", "days": 7})
    suppress.apply(tctx, s_args, suppress.plan(tctx, s_args), idempotency_key="ap-s")
    args = tool.parse({"finding_id": volume.id, "reason": "the disk now holds data"})
    plan = tool.plan(tctx, args)
    assert (
        plan.applicable
        and "suppressed until 2024-10-22 (scratch disk): the disk now holds data" in plan.summary
    )
    result = tool.apply(tctx, args, plan, idempotency_key="ap-u")
    assert result.verification is not None and result.verification.ok
    stored = FindingStore(tctx.store).get(volume.id)
    assert stored is not None and stored.status.value == "open"
    records = AuditLog(tctx.store).list(approval_id="ap-u")
    assert [r.kind for r in records] == ["unsuppression"]
    assert records[0].detail["was_suppressed_until"].startswith("2024-10-22")
    # Applying the same approved plan again finds nothing suppressed and changes nothing.
    assert tool.plan(tctx, args).applicable is False
    assert scan_ebs(tctx).suppressed == 0


def test_unreachable_member_account_is_reported(endpoint: str, tmp_path: Path) -> None:
    # Too short to be a role ARN: STS refuses it before any request is sent.
    bad = "arn:aws:iam::1:r"
    settings = make_settings(tmp_path / "data", endpoint, roles=[bad, "arn:aws:iam::123456789012:role/Self"])
    store = Store(settings.sqlalchemy_url)
    ctx = ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)
    try:
        result = run(SecurityScan(), ctx, services=["ebs"], regions=[R])
    finally:
        store.close()
    assert result.status == ToolStatus.OK and result.accounts == ["123456789012"]
    # The unreachable role is reported; a role into the caller's own account is not scanned twice.
    assert {e.account for e in result.errors} == {bad} and "RoleArn" in result.errors[0].error
    assert "Not scanned: ebs" in result.message and sum(result.counts.values()) == 3


def test_scan_services_are_the_services_of_the_resource_kinds() -> None:
    # security_scan's `services` input is a contract like describe_resources' types: a new kind
    # in a new service must be added there too.
    assert set(SERVICES) == {k.service for k in KINDS}


def test_one_finding_explained_by_its_id(tctx: ToolContext) -> None:
    volume = next(f for f in scan_ebs(tctx).findings if f.rule_id == "ebs-volume-unencrypted")
    result = run(ListFindings(), tctx, finding_id=volume.id)
    assert [f.id for f in result.findings] == [volume.id]
    first = result.message.splitlines()[0]
    assert first.startswith(f"Finding {volume.id} is open: medium") and volume.resource_id in first
    assert "Fix:" in result.message and "Controls:" in result.message
    missing = "f-0000000000000000"
    with pytest.raises(UserFacingError, match=f"No finding '{missing}'"):
        run(ListFindings(), tctx, finding_id=missing)
    with pytest.raises(ValidationError):
        ListFindings().parse({"finding_id": "finding 12"})
