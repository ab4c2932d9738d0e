"""security_scan: run the security rules against live AWS resources and record the findings."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from typing import ClassVar, Literal, get_args

from pydantic import Field

from store.finding_types import FindingData, FindingStatus, ScanReport, ScopeKey, StoredFinding, severity_rank
from store.findings import FindingStore
from tools.base import Fix, ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus, fixes_from
from tools.inventory.inventory import (
    CollectionError,
    Gathered,
    account_roles,
    check_regions,
    gather,
    plan_tasks,
)
from tools.inventory.kinds import kind, types_for_lookup
from tools.inventory.resources import GLOBAL_REGION, AnyResourceType
from tools.security.engine import evaluate
from tools.security.rules import all_rules, rules_for
from tools.security.views import FindingView, finding_view, findings_table, severity_counts, severity_summary

Service = Literal[
    "s3",
    "ec2",
    "iam",
    "ebs",
    "rds",
    "kms",
    "cloudtrail",
    "cloudwatch",
    "config",
    "lambda",
    "elb",
    "eks",
    "dynamodb",
    "sqs",
    "sns",
    "secretsmanager",
    "ecr",
    "cloudfront",
    "apigateway",
    "elasticache",
    "efs",
    "guardduty",
    "securityhub",
    "accessanalyzer",
    "account",
    "organizations",
]
SERVICES: tuple[Service, ...] = get_args(Service)
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
    accounts: list[str] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    resources_scanned: int = 0
    rules_evaluated: int = 0
    findings: list[FindingView] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    new: int = 0
    resolved: int = 0
    suppressed: int = 0
    errors: list[CollectionError] = Field(default_factory=list)

    def fixes(self) -> list[Fix]:
        # Only member accounts need naming; `account` is the caller's own (if it was scanned).
        return fixes_from(self.findings, self.account or None)


def _permissions() -> tuple[str, ...]:
    types = {r.resource_type for r in all_rules()}
    perms = {p for t in types for p in kind(t).permissions}
    return tuple(sorted(perms | {"sts:GetCallerIdentity"}))


def covered_scope(gathered: Gathered, account: str) -> list[ScopeKey]:
    """What the scan of one account saw completely, per resource type: only findings inside it
    may be resolved. A type is covered in a region only when its collection succeeded there."""
    failed = {
        (e.resource_type, None if e.region == GLOBAL_REGION else e.region)
        for e in gathered.errors
        if e.account == account
    }
    keys: dict[tuple[str, str | None], ScopeKey] = {}
    for task in gathered.succeeded:
        if gathered.accounts.get(task.role_arn) != account or (task.resource_type, task.region) in failed:
            continue
        keys[(task.resource_type, task.region)] = ScopeKey(
            service=kind(task.resource_type).service, region=task.region, resource_type=task.resource_type
        )
    return [keys[k] for k in sorted(keys, key=lambda k: (k[0], k[1] or ""))]


def _error_note(errors: Sequence[CollectionError], several_accounts: bool) -> str:
    if not errors:
        return ""
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for e in errors:
        grouped[(e.account, e.service, e.error)].append(e.region)
    parts = []
    for (account, service, error), regions in grouped.items():
        where = f"{service} in {', '.join(dict.fromkeys(regions))}"
        parts.append(f"{where}{f' of account {account}' if several_accounts and account else ''} ({error})")
    return " Not scanned: " + "; ".join(parts) + "."


class SecurityScan(ReadOnlyTool[SecurityScanInput, SecurityScanResult]):
    name: ClassVar[str] = "security_scan"
    description: ClassVar[str] = (
        "Scan AWS for security misconfigurations with CIS AWS Foundations / AWS FSBP / PCI DSS / SOC 2 "
        "mapped rules: public S3 buckets and snapshots, security groups open to the internet, IAM root, "
        "MFA, access keys and password policy, encryption (EBS, S3, RDS), RDS exposure and backups, KMS "
        "rotation, CloudTrail, AWS Config and CloudWatch alarms. Records findings and reports new and "
        "resolved ones. Read-only."
    )
    input_model: ClassVar[type[ToolInput]] = SecurityScanInput
    result_model: ClassVar[type[ToolResult]] = SecurityScanResult
    permissions: ClassVar[tuple[str, ...]] = _permissions()

    def run(self, ctx: ToolContext, args: SecurityScanInput) -> SecurityScanResult:
        from config.metrics import observe_scan, timed

        with timed(observe_scan):
            return self._run(ctx, args)

    def _run(self, ctx: ToolContext, args: SecurityScanInput) -> SecurityScanResult:
        services = [s for s in SERVICES if not args.services or s in args.services]
        regions = check_regions(ctx, args.regions)
        rules = rules_for(list(services))
        types: list[AnyResourceType] = types_for_lookup(
            args.resource_id, list(dict.fromkeys(r.resource_type for r in rules))
        )
        started = ctx.clock.now()
        tasks = plan_tasks(types, regions, account_roles(ctx))
        gathered = gather(ctx, tasks, lookup=args.resource_id)
        accounts = list(dict.fromkeys(gathered.accounts.values()))
        several = len(accounts) > 1
        result = SecurityScanResult(
            # The caller's own account; "" when the access policy left it out of this scan.
            account=gathered.accounts.get(None, ""),
            accounts=accounts,
            services=list(services),
            regions=regions,
            errors=gathered.errors,
            resources_scanned=len(gathered.resources),
            rules_evaluated=len(rules),
        )
        error_note = _error_note(gathered.errors, several)
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
        scan_id = "scan-" + secrets.token_hex(6)
        stored: list[StoredFinding] = []
        new = resolved = 0
        for i, account in enumerate(accounts):
            mine = [r for r in gathered.resources if r.account == account]
            report = ScanReport(
                id=scan_id if i == 0 else f"{scan_id}-{account}",
                started_at=started,
                finished_at=ctx.clock.now(),
                account=account,
                regions=regions,
                services=list(services),
                covered=covered_scope(gathered, account),
                resource_ids=sorted({r.id for r in mine}) if args.resource_id else None,
                resources_scanned=len(mine),
                errors=[e.model_dump() for e in gathered.errors if e.account == account],
            )
            own: list[FindingData] = [f for f in findings if f.account == account]
            outcome = FindingStore(ctx.store).record_scan(report, own)
            stored.extend(outcome.findings)
            new += outcome.new
            resolved += outcome.resolved
        views = [finding_view(f) for f in stored]
        views.sort(key=lambda v: (severity_rank(v.severity), v.service, v.region, v.resource_id, v.rule_id))
        active = [v for v in views if v.status == FindingStatus.OPEN]
        suppressed = len(views) - len(active)

        result.scan_id = scan_id
        result.findings = views[:MAX_FINDINGS]
        result.counts = severity_counts(active)
        result.new = new
        result.resolved = resolved
        result.suppressed = suppressed
        n = len(gathered.resources)
        where = f"{len(accounts)} accounts, " if several else ""
        scope = f"{n} resource{'s' if n != 1 else ''} in {where}{', '.join(regions)} ({', '.join(services)})"
        if active:
            message = f"{severity_summary(active)} across {scope}."
        else:
            message = f"No open findings across {scope}."
        extras = []
        if new:
            extras.append(f"{new} new")
        if resolved:
            extras.append(f"{resolved} resolved since the last scan")
        if suppressed:
            extras.append(f"{suppressed} suppressed not counted")
        if extras:
            message += " " + "; ".join(extras).capitalize() + "."
        if len(views) > MAX_FINDINGS:
            message += f" Showing the {MAX_FINDINGS} most severe; list_findings pages through the rest."
        result.message = message + error_note
        if views:
            result.tables = [findings_table(views, f"Security findings ({scan_id})")]
        return result
