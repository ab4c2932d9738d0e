"""cost_query answered from the Cost Explorer API, in the same result shape as local answers,
and as honest: a period partly outside what Cost Explorer keeps says which part the figures cover
(the same note as the billing-data answers), and an amount under a cent is "< $0.01", not "$0.00"
(the groups keep their exact sums, as the billing-data answers' do)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.cost.cost_explorer import CE_REGION, CeQuery, run, unsupported
from tools.cost.cost_query_models import (
    DEFAULT_TOP,
    Comparison,
    CostGroup,
    CostQueryInput,
    CostQueryResult,
    SeriesPoint,
    base_result,
    group_title,
)
from tools.cost.cost_query_render import coverage_note
from tools.cost.money import amount, cents, money, percent, share
from tools.cost.periods import Period, comparison_period
from tools.cost.providers import provider_label
from tools.cost.query import TIME_GROUPINGS
from tools.cost.services import KNOWN_SERVICES, compact
from tools.presentation import Table

# Cost Explorer keeps the current month and the 13 before it (AWS documentation; longer only
# for monthly data with multi-year history turned on, which this does not assume).
CE_HISTORY_MONTHS = 13


def ce_first_day(today: date) -> date:
    """The first day Cost Explorer has costs for."""
    months = today.year * 12 + today.month - 1 - CE_HISTORY_MONTHS
    return date(months // 12, months % 12 + 1, 1)


def answer_from_cost_explorer(ctx: ToolContext, args: CostQueryInput, period: Period) -> CostQueryResult:
    result = base_result(args, period)
    result.backend = "cost_explorer"
    services = _service_names(args.service) if args.service else []
    result.filters.service_names = list(services)
    if args.provider and compact(args.provider) not in ("aws", "amazonwebservices", "amazon"):
        # Cost Explorer answers for AWS only.
        result.status = ToolStatus.NO_DATA
        result.message = f"Cost Explorer has AWS costs only; no {provider_label(args.provider)} costs."
        return result
    query = CeQuery(
        start=period.start,
        end=period.end,
        cost_type=args.cost_type,
        services=services,
        region=args.region,
        account=args.account,
        tags=dict(args.tags),
        charge_category=args.charge_category,
        group_by=args.group_by,
        granularity="DAILY" if args.granularity == "daily" else "MONTHLY",
        resource=args.resource,
        accounts=ctx.allowed_accounts,
    )
    if args.account:
        ctx.require_account(args.account)
    if ctx.allowed_accounts is not None and not ctx.allowed_accounts:
        raise UserFacingError("No AWS account's costs are allowed here (access policy).")
    today = ctx.clock.now().date()
    why = unsupported(query, today)
    if why:
        return result.model_copy(update={"status": ToolStatus.ERROR, "message": why})
    first = ce_first_day(today)
    coverage = coverage_note(period, first, today, today)
    if period.last_day < first or period.start > today:
        # Nothing Cost Explorer could answer: say so without a billed request.
        result.status = ToolStatus.NO_DATA
        result.message = _outside(coverage)
        return result
    query = replace(query, start=max(query.start, first))
    client = ctx.aws.client("ce", CE_REGION)
    answer = run(client, query)
    result.ce_requests = answer.requests
    if not answer.series and not answer.groups:
        result.status = ToolStatus.NO_DATA
        result.message = f"Cost Explorer returned no costs {period.phrase}. {coverage}".strip()
        return result
    currency = answer.currency or "USD"
    total = answer.total
    result.currency = currency
    result.total = cents(total)
    if args.cost_type == "billed":
        result.billed_total = cents(total)
    else:
        result.effective_total = cents(total)
    subject = args.service or args.resource or ("EC2 compute" if answer.scoped_to else "Total")
    message = f"{subject} cost {money(total, currency)} {period.phrase} (from Cost Explorer"
    message += ", estimated)." if answer.estimated else ")."
    if coverage:
        message += f" {coverage}"
    if args.group_by:
        ranked = sorted(answer.groups.items(), key=lambda kv: (-kv[1], kv[0]))
        if args.group_by in TIME_GROUPINGS:
            ranked = sorted(answer.groups.items())
        top = args.top or DEFAULT_TOP
        kept, rest = ranked[:top], ranked[top:]
        result.groups = [CostGroup(key=k, cost=cents(v), share=share(v, total), exact=v) for k, v in kept]
        result.other_groups = len(rest)
        other = sum((v for _, v in rest), Decimal(0))
        result.other_cost = cents(other)
        title = group_title(args.group_by)
        rows: list[list[object]] = [[g.key, amount(g.amount), percent(g.share)] for g in result.groups]
        if rest:
            rows.append([f"Other ({len(rest)} more)", amount(other), percent(share(other, total))])
        rows.append(["Total", amount(total), "100.0%"])
        result.tables = [
            Table(
                title=f"Cost by {title.lower()} {period.phrase}",
                columns=[title, f"Cost ({currency})", "Share"],
                rows=rows,
                numeric=[1, 2],
            )
        ]
        shown = ", ".join(f"{g.key} {money(g.amount, currency)}" for g in result.groups[:3])
        message += f" By {title.lower()}: {shown}."
    else:
        result.tables = [
            Table(
                title=f"Cost {period.phrase}",
                columns=["Scope", f"Cost ({currency})"],
                rows=[[subject, amount(total)]],
                numeric=[1],
            )
        ]
    if args.granularity:
        points = sorted(answer.series.items())
        result.series = [SeriesPoint(bucket=b, cost=cents(v), exact=v) for b, v in points]
    before = comparison_period(period, args.compare_to, ctx.clock.now()) if args.compare_to else None
    earlier_query = replace(query, start=max(before.start, first), end=before.end) if before else None
    why_not = unsupported(earlier_query, today) if earlier_query else None
    if before and not why_not and before.last_day < first:
        why_not = _outside(coverage_note(before, first, today, today, before.label))
    if why_not:
        message += f" No comparison: {why_not}"
    elif before and earlier_query:
        earlier = run(client, earlier_query)
        result.ce_requests += earlier.requests
        change = total - earlier.total
        pct = float(change / earlier.total) if earlier.total else None
        result.comparison = Comparison(
            period=before.label,
            period_start=before.start,
            period_end=before.last_day,
            total=cents(earlier.total),
            change=cents(change),
            change_pct=None if pct is None else round(pct, 4),
        )
        message += f" {money(earlier.total, currency)} {before.phrase}."
        earlier_coverage = coverage_note(before, first, today, today, before.label)
        if earlier_coverage:
            message += f" {earlier_coverage}"
    result.message = message
    return result


def _outside(note: str) -> str:
    # The note for a period Cost Explorer has nothing of: its data, not a billing export's.
    return note.replace("no cost data", "no Cost Explorer data")


def _service_names(query: str) -> list[str]:
    """Cost Explorer's SERVICE values for what the user called the service."""
    wanted = compact(query)
    for alias in KNOWN_SERVICES:
        names = (alias.name, *alias.aliases, *alias.service_names)
        if any(compact(n) == wanted for n in names):
            return list(alias.service_names)
    return [query]
