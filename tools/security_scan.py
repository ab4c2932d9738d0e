"""security_scan: run the security rules against live AWS resources and record the findings."""

from __future__ import annotations

import secrets
from collections import defaultdict
from typing import ClassVar, Literal

from pydantic import Field

from store.findings import FindingStatus, FindingStore, ScanReport, ScopeKey
from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus
from tools.security.collectors import COLLECTORS
from tools.security.engine import evaluate
from tools.security.inventory import CollectionError, account_id, check_regions, gather, plan_tasks
from tools.security.resources import TYPE_SERVICE, ResourceType, types_for_lookup
from tools.security.rules import all_rules, rules_for
from tools.security.views import FindingView, finding_view, findings_table, severity_counts, severity_summary

Service = Literal["s3", "ec2", "iam", "ebs", "rds"]
SERVICES: tuple[Service, ...] = ("s3", "ec2", "iam", "ebs", "rds")
MAX_FINDINGS = 100


class SecurityScanInput(ToolInput):
    services: list[Service] = Field(default_factory=list, description="Services to scan; all when empty.")
    regions: list[str] = Field(
        default_factory=list, description="Regions to scan; the configured ones when empty."
    )
    resource_id: str | None = Field(default=None, description="Scan only this resource (id, ARN or name).")


class SecurityScanResult(ToolResult):
    scan_id: str = ""
    account: str = ""
    services: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    resources_scanned: int = 0
    findings: list[FindingView] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    new: int = 0
    resolved: int = 0
    suppressed: int = 0
    errors: list[CollectionError] = Field(default_factory=list)


def _permissions() -> tuple[str, ...]:
    types = {r.resource_type for r in all_rules()}
    perms = {p for t in types for p in COLLECTORS[t].permissions}
    return tuple(sorted(perms | {"sts:GetCallerIdentity"}))


class SecurityScan(ReadOnlyTool[SecurityScanInput, SecurityScanResult]):
    name: ClassVar[str] = "security_scan"
    description: ClassVar[str] = (
        "Scan AWS for security misconfigurations (public S3 buckets, security groups open to the internet "
        "on SSH/RDP, IAM console users without MFA, unencrypted EBS volumes, public RDS instances). "
        "Records findings and reports new and resolved ones. Read-only."
    )
    input_model: ClassVar[type[ToolInput]] = SecurityScanInput
    result_model: ClassVar[type[ToolResult]] = SecurityScanResult
    permissions: ClassVar[tuple[str, ...]] = _permissions()

    def run(self, ctx: ToolContext, args: SecurityScanInput) -> SecurityScanResult:
        services = [s for s in SERVICES if not args.services or s in args.services]
        regions = check_regions(ctx, args.regions)
        rules = rules_for(list(services))
        types: list[ResourceType] = types_for_lookup(
            args.resource_id, list(dict.fromkeys(r.resource_type for r in rules))
        )
        started = ctx.clock.now()
        account = account_id(ctx)
        tasks = plan_tasks(types, regions)
        gathered = gather(ctx, tasks, lookup=args.resource_id)
        result = SecurityScanResult(
            account=account,
            services=list(services),
            regions=regions,
            errors=gathered.errors,
            resources_scanned=len(gathered.resources),
        )
        error_note = (
            ""
            if not gathered.errors
            else " Not scanned: "
            + "; ".join(f"{e.service} in {e.region} ({e.error})" for e in gathered.errors)
            + "."
        )
        if tasks and not gathered.succeeded:
            result.status = ToolStatus.ERROR
            result.message = f"The scan could not read any resources.{error_note}"
            return result
        if args.resource_id and not gathered.resources:
            result.status = ToolStatus.NO_DATA
            result.message = (
                f"No resource with id or name '{args.resource_id}' among {', '.join(services)} in "
                f"{', '.join(regions)}.{error_note}"
            )
            return result

        findings = evaluate(gathered.resources, rules)
        # A (service, region) is covered only when every collector for it succeeded, so a
        # failed collection never marks its findings as resolved.
        failed = {
            (TYPE_SERVICE[e.resource_type], None if e.region == "global" else e.region)
            for e in gathered.errors
        }
        covered = {(TYPE_SERVICE[t.resource_type], t.region) for t in gathered.succeeded} - failed
        by_service: dict[str, list[str | None]] = defaultdict(list)
        for service, region in sorted(covered, key=lambda c: (c[0], c[1] or "")):
            by_service[service].append(region)
        report = ScanReport(
            id="scan-" + secrets.token_hex(6),
            started_at=started,
            finished_at=ctx.clock.now(),
            account=account,
            regions=regions,
            services=list(services),
            covered=[ScopeKey(service=s, region=r) for s, rs in by_service.items() for r in rs],
            resource_ids=sorted({r.id for r in gathered.resources}) if args.resource_id else None,
            resources_scanned=len(gathered.resources),
            errors=[e.model_dump() for e in gathered.errors],
        )
        outcome = FindingStore(ctx.store).record_scan(report, findings)
        views = [finding_view(f) for f in outcome.findings]
        active = [v for v in views if v.status == FindingStatus.OPEN]
        suppressed = len(views) - len(active)

        result.scan_id = outcome.scan.id
        result.findings = views[:MAX_FINDINGS]
        result.counts = severity_counts(active)
        result.new = outcome.new
        result.resolved = outcome.resolved
        result.suppressed = suppressed
        n = len(gathered.resources)
        scope = f"{n} resource{'s' if n != 1 else ''} in {', '.join(regions)} ({', '.join(services)})"
        if active:
            message = f"{severity_summary(active)} across {scope}."
        else:
            message = f"No open findings across {scope}."
        extras = []
        if outcome.new:
            extras.append(f"{outcome.new} new")
        if outcome.resolved:
            extras.append(f"{outcome.resolved} resolved since the last scan")
        if suppressed:
            extras.append(f"{suppressed} suppressed not counted")
        if extras:
            message += " " + "; ".join(extras).capitalize() + "."
        result.message = message + error_note
        if views:
            result.tables = [findings_table(views, f"Security findings ({result.scan_id})")]
        return result
