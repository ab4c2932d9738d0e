"""savings_opportunities: where can we save money — idle and forgotten resources, priced from the bill."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from tools.base import (
    Fix,
    ReadOnlyTool,
    ToolContext,
    ToolInput,
    ToolResult,
    ToolStatus,
    UserFacingError,
    fixes_from,
)
from tools.cost.charts import breakdown_chart
from tools.cost.datastore import CostStore, cost_store
from tools.cost.money import amount, money
from tools.inventory.clients import AccountClients
from tools.inventory.inventory import account_clients, account_roles
from tools.presentation import Table
from tools.savings.checks import (
    KINDS,
    Kind,
    Opportunity,
    Thresholds,
    gp2_volumes,
    idle_instances,
    old_snapshots,
    unassociated_addresses,
    unattached_volumes,
)
from tools.savings.prices import PriceBook

log = logging.getLogger(__name__)

_KIND_LABELS = {
    "idle_instance": "Idle EC2 instances",
    "unattached_volume": "Unattached EBS volumes",
    "unassociated_address": "Unassociated Elastic IPs",
    "old_snapshot": "Old EBS snapshots",
    "gp2_volume": "gp2 volumes to move to gp3",
}


class SavingsInput(ToolInput):
    kinds: list[
        Literal["idle_instance", "unattached_volume", "unassociated_address", "old_snapshot", "gp2_volume"]
    ] = Field(default_factory=list, description="Which checks to run (empty = all)")
    regions: list[str] = Field(
        default_factory=list, description="Regions to check (empty = configured regions)"
    )
    min_monthly_saving: float = Field(
        default=0.0, ge=0, description="Hide opportunities saving less per month"
    )
    snapshot_age_days: int = Field(default=90, ge=1, le=3650)
    idle_cpu_percent: float = Field(default=5.0, gt=0, le=100)
    lookback_days: int = Field(default=14, ge=1, le=63)
    limit: int = Field(default=50, ge=1, le=500)
    chart: bool = True


class SavingsFinding(BaseModel):
    """One opportunity, in the shape the agent turns into a "fix it" suggestion."""

    id: str
    kind: str
    title: str
    detail: str
    resource_id: str
    name: str = ""
    region: str
    # The account the resource is in (scans and fixes reach member accounts by their roles).
    account: str = ""
    monthly_saving: Decimal | None
    currency: str = "USD"
    price_source: str
    remediation_action: str
    remediation_params: dict[str, object] = Field(default_factory=dict)
    status: Literal["open"] = "open"


class SavingsResult(ToolResult):
    currency: str | None = "USD"
    regions: list[str] = Field(default_factory=list)
    # The caller's own account first, then member accounts reached through assume_role_arns.
    accounts: list[str] = Field(default_factory=list)
    # The caller's own account; "" when the access policy left it out (so fixes name every account).
    account: str = ""
    checks: list[str] = Field(default_factory=list)
    total_monthly_saving: Decimal = Decimal("0.00")
    by_kind: dict[str, Decimal] = Field(default_factory=dict)
    findings: list[SavingsFinding] = Field(default_factory=list)
    # Checks that could not run (e.g. access denied), with why.
    skipped: list[str] = Field(default_factory=list)

    def fixes(self) -> list[Fix]:
        return fixes_from(self.findings, self.account or None)


class SavingsOpportunities(ReadOnlyTool[SavingsInput, SavingsResult]):
    name: ClassVar[str] = "savings_opportunities"
    description: ClassVar[str] = (
        "Where to save money: idle EC2 instances (CloudWatch CPU and network), unattached EBS volumes, "
        "unassociated Elastic IPs, old or orphaned snapshots and gp2 volumes that should be gp3, each "
        "with the monthly saving estimated from the bill's own unit prices and the remediation that "
        "realises it (applied only after approval)."
    )
    input_model: ClassVar[type[ToolInput]] = SavingsInput
    result_model: ClassVar[type[ToolResult]] = SavingsResult
    permissions: ClassVar[tuple[str, ...]] = (
        "ec2:DescribeInstances",
        "ec2:DescribeVolumes",
        "ec2:DescribeAddresses",
        "ec2:DescribeSnapshots",
        "ec2:DescribeImages",
        "cloudwatch:GetMetricStatistics",
    )

    def run(self, ctx: ToolContext, args: SavingsInput) -> SavingsResult:
        regions = list(dict.fromkeys(args.regions or ctx.aws.regions))
        unknown = [r for r in regions if r not in ctx.aws.regions] if args.regions else []
        if unknown:
            raise UserFacingError(
                f"Region(s) {', '.join(unknown)} are not configured; "
                f"configured: {', '.join(ctx.aws.regions)}."
            )
        kinds: list[Kind] = list(args.kinds) or list(KINDS)
        prices = PriceBook(_store_or_none(ctx))
        now = ctx.clock.now()
        limits = Thresholds(
            lookback_days=args.lookback_days,
            cpu_percent=args.idle_cpu_percent,
            snapshot_age_days=args.snapshot_age_days,
        )
        result = SavingsResult(regions=regions, checks=list(kinds))
        members = self._accounts(ctx, result)

        def check(kind: Kind, aws: AccountClients, region: str) -> list[Opportunity]:
            if kind == "idle_instance":
                return idle_instances(aws, region, now, limits, prices)
            if kind == "unattached_volume":
                return unattached_volumes(aws, region, prices)
            if kind == "unassociated_address":
                return unassociated_addresses(aws, region, prices)
            if kind == "old_snapshot":
                return old_snapshots(aws, region, now, limits, prices)
            return gp2_volumes(aws, region, prices)

        jobs = [
            (account, aws, kind, region) for account, aws in members for kind in kinds for region in regions
        ]
        pairs: list[tuple[str, Opportunity]] = []
        # Prices are looked up on one DuckDB connection (serialised by the store); AWS calls run in parallel.
        with ThreadPoolExecutor(max_workers=min(len(jobs), ctx.settings.aws.max_workers) or 1) as pool:
            futures = [(a, k, r, pool.submit(check, k, aws, r)) for a, aws, k, r in jobs]
            for account, kind, region, future in futures:
                try:
                    pairs += [(account, o) for o in future.result()]
                except Exception as exc:  # botocore ClientError, endpoint errors: report, keep the rest
                    log.warning("savings check %s in %s (%s) failed: %s", kind, region, account, exc)
                    where = f"{region}, account {account}" if len(members) > 1 else region
                    result.skipped.append(f"{_KIND_LABELS[kind]} in {where}: {_short(exc)}")
        floor = Decimal(str(args.min_monthly_saving))
        pairs = [(a, o) for a, o in pairs if (o.monthly_saving or Decimal(0)) >= floor]
        pairs.sort(key=lambda ao: (-(ao[1].monthly_saving or Decimal(0)), ao[1].kind, ao[1].resource_id))
        found = [o for _, o in pairs]
        result.findings = [_finding(o, a) for a, o in pairs[: args.limit]]
        for o in found:
            if o.monthly_saving is not None:
                result.by_kind[o.kind] = result.by_kind.get(o.kind, Decimal(0)) + o.monthly_saving
        result.total_monthly_saving = sum(result.by_kind.values(), Decimal(0)).quantize(Decimal("0.01"))
        currency = found[0].currency if found else "USD"
        result.currency = currency
        if not found:
            result.status = ToolStatus.NO_DATA if not result.skipped else ToolStatus.ERROR
            result.message = (
                f"No savings opportunities found in {', '.join(regions)}: "
                "no idle instances, unattached volumes, "
                "unassociated Elastic IPs, old snapshots or gp2 volumes."
                + (f" Some checks could not run: {'; '.join(result.skipped)}." if result.skipped else "")
            )
            return result
        result.message = _message(result, found, currency)
        result.tables = [_table(result.findings, currency, by_account=len(result.accounts) > 1)]
        if args.chart and result.by_kind:
            labels = [_KIND_LABELS[k] for k in result.by_kind]
            result.charts = [
                breakdown_chart(
                    ctx.settings,
                    "Estimated monthly savings by kind",
                    labels,
                    [float(v) for v in result.by_kind.values()],
                    currency,
                )
            ]
        return result

    @staticmethod
    def _accounts(ctx: ToolContext, result: SavingsResult) -> list[tuple[str, AccountClients]]:
        """(account id, clients acting in it) for the caller's account and each reachable member."""
        clients, failed = account_clients(ctx, account_roles(ctx))
        for role, exc in failed.items():  # an account that cannot be reached: say so, check the others
            result.skipped.append(f"account of role {role or '(own credentials)'}: {_short(exc)}")
        result.accounts = [c.account_id for c in clients.values()]
        result.account = clients[None].account_id if None in clients else ""
        return [(c.account_id, c) for c in clients.values()]


def _store_or_none(ctx: ToolContext) -> CostStore | None:
    try:
        return cost_store(ctx)
    except UserFacingError as exc:
        log.warning("no bill to price savings from: %s", exc)
        return None


def _finding(o: Opportunity, account: str) -> SavingsFinding:
    return SavingsFinding(
        id=f"savings:{o.kind}:{account}:{o.region}:{o.resource_id}",
        kind=o.kind,
        title=o.title,
        detail=o.detail,
        resource_id=o.resource_id,
        name=o.name,
        region=o.region,
        account=account,
        monthly_saving=o.monthly_saving,
        currency=o.currency,
        price_source=o.price_source,
        remediation_action=o.remediation_action,
        remediation_params=dict(o.remediation_params),
    )


def _message(result: SavingsResult, found: list[Opportunity], currency: str) -> str:
    kinds = ", ".join(
        f"{_sentence_case(_KIND_LABELS[k])}: {sum(1 for o in found if o.kind == k)} ({money(v, currency)})"
        for k, v in sorted(result.by_kind.items(), key=lambda kv: -kv[1])
    )
    top = result.findings[0]
    text = (
        f"About {money(result.total_monthly_saving, currency)} a month could be saved across {len(found)} "
        f"opportunities: {kinds}. Largest: {top.title} in {top.region}, "
        f"{money(top.monthly_saving or 0, currency)}"
        f"/month ({top.remediation_action.replace('_', ' ')}). Prices come from the bill where it has them. "
        "Say 'fix it' to request a change; nothing happens before an approval."
    )
    if result.skipped:
        text += f" Some checks could not run: {'; '.join(result.skipped)}."
    return text


def _sentence_case(label: str) -> str:
    """'Idle EC2 instances' -> 'idle EC2 instances' (acronyms and 'gp2' keep their case)."""
    first, _, rest = label.partition(" ")
    return f"{first.lower() if first[1:].islower() else first} {rest}".strip()


def _table(findings: list[SavingsFinding], currency: str, *, by_account: bool) -> Table:
    columns = ["Opportunity", "Resource", "Region", f"Saving/month ({currency})", "Price from", "Fix"]
    rows: list[list[object]] = [
        [
            f.title,
            f.resource_id,
            f.region,
            amount(f.monthly_saving) if f.monthly_saving is not None else "?",
            f.price_source,
            f.remediation_action,
        ]
        for f in findings
    ]
    if by_account:
        columns.insert(2, "Account")
        for row, f in zip(rows, findings, strict=True):
            row.insert(2, f.account)
    return Table(title="Savings opportunities", columns=columns, rows=rows, numeric=[4 if by_account else 3])


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
