"""cost_query: how much did we spend, on what, where — from the bill itself.

Answers come from billing exports in the local store (FOCUS, CUR 2.0), or from the Cost
Explorer API when settings choose it. Figures are summed exactly and rounded half-up to the
cent once, after summing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus
from tools.cost.charts import breakdown_chart, comparison_chart, trend_chart
from tools.cost.datastore import CostStore, cost_store
from tools.cost.money import amount, cents, money, percent, share, signed_percent
from tools.cost.options import cost_options
from tools.cost.periods import Period, comparison_period, explicit_period, resolve_period
from tools.cost.query import (
    GROUPINGS,
    TAG_PREFIX,
    TIME_GROUPINGS,
    CostFilter,
    CurrencyTotal,
    GroupTotal,
    grouped,
    series,
    totals,
    value_exists,
)
from tools.cost.services import ServiceMatch, match_service
from tools.presentation import Chart, Table

CENT = Decimal("0.01")
# Without an explicit `top`, long group lists are cut here and the rest summed as "Other",
# so an answer never floods the chat or the model's context.
DEFAULT_TOP = 25
MAX_TIME_GROUPS = 100
# Groups shown as their own series in a trend; the rest are summed as "Other".
SERIES_GROUPS = 5
_LIST_LIMIT = 40

_GROUP_TITLES = {
    "service": "Service",
    "region": "Region",
    "account": "Account",
    "resource": "Resource",
    "charge_category": "Charge category",
    "provider": "Provider",
    "day": "Day",
    "month": "Month",
}
_COST_WORDS = {"billed": "cost", "effective": "effective cost", "list": "cost at list price"}

CostType = Literal["billed", "effective", "list"]


class CostQueryInput(ToolInput):
    period: str = Field(
        default="last_month",
        description=(
            "today, yesterday, this_month, last_month, last_7_days, last_30_days, last_90_days, "
            "this_year, last_year; a month YYYY-MM; or a range YYYY-MM-DD..YYYY-MM-DD (end included)"
        ),
    )
    service: str | None = Field(
        default=None,
        description="A common name (EC2, S3, RDS, Lambda, ELB, CloudWatch, AKS…) or a ServiceName",
    )
    region: str | None = Field(default=None, description="Region id or name, e.g. us-east-1")
    account: str | None = Field(default=None, description="Account or subscription id or name")
    tags: dict[str, str] = Field(default_factory=dict, description="Only charges with all these tags")
    group_by: (
        Literal["service", "region", "account", "resource", "charge_category", "day", "month"] | str | None
    ) = Field(default=None, description="Break the total down; a tag key as 'tag:<key>'")
    top: int | None = Field(default=None, ge=1, le=500, description="Keep the N largest groups")
    cost_type: CostType = Field(
        default="billed",
        description="billed (the invoice), effective (commitments amortised, discounts applied) or list",
    )
    granularity: Literal["daily", "monthly"] | None = Field(
        default=None, description="Also show the spend per day or per month"
    )
    compare_to: str | None = Field(
        default=None,
        description="previous_period (like for like: this month to date vs the same days last month), "
        "previous_year, or any period such as 2024-08",
    )
    start: date | None = Field(default=None, description="First day (instead of period); needs end")
    end: date | None = Field(default=None, description="Last day included (instead of period); needs start")
    resource: str | None = Field(default=None, description="Only this resource id or name")
    charge_category: str | None = Field(
        default=None, description="Only this FOCUS charge category: Usage, Purchase, Tax, Credit, Adjustment"
    )
    chart: bool = Field(default=True, description="Attach a PNG chart where one helps")

    @field_validator("group_by")
    @classmethod
    def _known_grouping(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.lower().startswith(TAG_PREFIX):
            key = value[len(TAG_PREFIX) :].strip()
            if not key:
                raise ValueError("a tag grouping needs a key, e.g. 'tag:environment'")
            return TAG_PREFIX + key
        name = value.lower().replace(" ", "_").replace("-", "_")
        if name not in GROUPINGS:
            raise ValueError(f"group_by must be one of {', '.join(GROUPINGS)} or 'tag:<key>'")
        return name

    @model_validator(mode="after")
    def _dates_together(self) -> CostQueryInput:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end (end included), or use period")
        return self


class CostGroup(BaseModel):
    key: str
    cost: Decimal
    # Fraction of the total (0.25 = 25%); credits can make it negative or above 1.
    share: float
    row_count: int = 0
    # Set only when comparing periods.
    previous_cost: Decimal | None = None
    change: Decimal | None = None
    change_pct: float | None = None


class SeriesPoint(BaseModel):
    bucket: str
    cost: Decimal


class Comparison(BaseModel):
    period: str
    period_start: date
    period_end: date
    total: Decimal
    change: Decimal
    # None when the compared period cost nothing.
    change_pct: float | None = None


class AppliedFilters(BaseModel):
    service: str | None = None
    # The providers' ServiceName values the service filter matched in the data.
    service_names: list[str] = Field(default_factory=list)
    region: str | None = None
    account: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    resource: str | None = None
    charge_category: str | None = None


class CostQueryResult(ToolResult):
    currency: str | None = None
    period: str = ""
    period_start: date | None = None
    # Last day included.
    period_end: date | None = None
    filters: AppliedFilters = Field(default_factory=AppliedFilters)
    group_by: str | None = None
    cost_type: str = "billed"
    # The chosen cost type's sum, rounded half-up to the cent after summing.
    total: Decimal = Decimal("0.00")
    billed_total: Decimal = Decimal("0.00")
    effective_total: Decimal = Decimal("0.00")
    list_total: Decimal = Decimal("0.00")
    row_count: int = 0
    groups: list[CostGroup] = Field(default_factory=list)
    # Groups cut by `top` (or the default limit), summed.
    other_groups: int = 0
    other_cost: Decimal = Decimal("0.00")
    series: list[SeriesPoint] = Field(default_factory=list)
    comparison: Comparison | None = None
    data_start: date | None = None
    data_end: date | None = None
    backend: str = "local"
    # Cost Explorer requests made (each is billed by AWS).
    ce_requests: int = 0

    def data(self) -> dict[str, Any]:
        out = super().data()
        # Comparison fields exist on groups only when periods are compared.
        for group in out.get("groups", []):
            for key in ("previous_cost", "change", "change_pct"):
                if group.get(key) is None:
                    group.pop(key, None)
        return out


class CostQuery(ReadOnlyTool[CostQueryInput, CostQueryResult]):
    name: ClassVar[str] = "cost_query"
    description: ClassVar[str] = (
        "Cloud spend from billing data (FOCUS and CUR exports, all providers; or AWS Cost Explorer): "
        "total billed, effective or list cost for a period, optionally filtered by service, region, "
        "account, resource, charge category and tags, broken down by service, region, account, resource, "
        "charge category, day, month or a tag, per day or month, and compared with another period."
    )
    input_model: ClassVar[type[ToolInput]] = CostQueryInput
    result_model: ClassVar[type[ToolResult]] = CostQueryResult
    # Local answers read billing exports already on disk and need no IAM action; the Cost
    # Explorer backend (chosen in settings) calls ce:GetCostAndUsage.
    # Only with cost_backend = "cost_explorer"; exports are read from disk or S3 (s3:GetObject).
    permissions: ClassVar[tuple[str, ...]] = ("ce:GetCostAndUsage", "ce:GetCostAndUsageWithResources")

    def run(self, ctx: ToolContext, args: CostQueryInput) -> CostQueryResult:
        if args.start is not None and args.end is not None:
            period = explicit_period(args.start, args.end)
        else:
            period = resolve_period(args.period, ctx.clock.now())
        if cost_options(ctx.settings).backend == "cost_explorer":
            from tools.cost.ce_answer import answer_from_cost_explorer

            return answer_from_cost_explorer(ctx, args, period)
        return _Local(ctx, args, period).answer()


class _Local:
    def __init__(self, ctx: ToolContext, args: CostQueryInput, period: Period) -> None:
        self.ctx = ctx
        self.args = args
        self.period = period
        self.store = cost_store(ctx)

    def answer(self) -> CostQueryResult:
        args, period, store = self.args, self.period, self.store
        coverage = store.coverage()
        base = base_result(args, period)
        base.data_start = coverage.first_day if coverage else None
        base.data_end = coverage.last_day if coverage else None
        if coverage is None:
            return _no_data(base, "The cost data is empty: no charges are loaded.")

        match: ServiceMatch | None = None
        if args.service:
            match = match_service(args.service, store.distinct("ServiceName"))
            if not match.matched:
                return _no_data(base, _unknown_service(match, store))
            base.filters.service_names = list(match.names)
        for kind, value in (("region", args.region), ("account", args.account)):
            if value and not value_exists(store, kind, value):
                return _no_data(base, _unknown_value(kind, value, store))

        flt = self.filter(period, match)
        per_currency = totals(store, flt)
        if not per_currency:
            return _no_data(base, _nothing_in_range(store, period, flt, args, base))
        if len(per_currency) > 1:
            return _mixed_currencies(base, per_currency, period)

        found = per_currency[0]
        chosen = _chosen(found, args.cost_type)
        result = base.model_copy(
            update={
                "currency": found.currency,
                "total": cents(chosen),
                "billed_total": cents(found.billed),
                "effective_total": cents(found.effective),
                "list_total": cents(found.listed),
                "row_count": found.rows,
            }
        )
        subject = _subject(match)
        word = _COST_WORDS[args.cost_type]
        headline = f"{subject} {word} {money(chosen, found.currency)} {period.phrase}{_qualifiers(args)}."
        message = [headline]
        if args.group_by is None:
            only = CostGroup(key=subject, cost=result.total, share=1.0, row_count=found.rows)
            result.tables = [_table(f"Cost {period.phrase}", "Scope", found.currency, [only], chosen)]
        else:
            message.append(self._breakdown(result, flt, chosen, found.currency))
        if args.compare_to:
            message.append(self._compare(result, match, chosen, found.currency))
        if args.granularity:
            self._series(result, flt, found.currency)
        result.message = " ".join(m for m in message if m)
        if args.chart:
            result.charts = _charts(self.ctx, result, args, period)
        return result

    def filter(self, period: Period, match: ServiceMatch | None) -> CostFilter:
        args = self.args
        return CostFilter(
            start=period.start,
            end=period.end,
            service_names=match.names if match else None,
            region=args.region,
            account=args.account,
            tags=dict(args.tags),
            resource=args.resource,
            charge_category=args.charge_category,
        )

    def _breakdown(
        self, result: CostQueryResult, flt: CostFilter, chosen: Decimal, currency: str | None
    ) -> str:
        args = self.args
        assert args.group_by is not None
        groups = grouped(self.store, flt, args.group_by, args.cost_type)
        kept, rest = _limit(groups, args)
        result.groups = [_group(g, label, chosen) for g, label in zip(kept, _labels(kept), strict=True)]
        result.other_groups = len(rest)
        result.other_cost = cents(sum((g.billed for g in rest), Decimal(0)))
        title = group_title(args.group_by)
        table = _table(
            f"Cost by {title.lower()} {self.period.phrase}", title, currency, result.groups, chosen
        )
        if rest:
            other = sum((g.billed for g in rest), Decimal(0))
            table.rows.append([f"Other ({len(rest)} more)", amount(other), percent(share(other, chosen))])
        table.rows.append(["Total", amount(chosen), percent(1.0 if chosen else 0.0)])
        result.tables = [table]
        return _breakdown_text(result, title, currency)

    def _compare(
        self, result: CostQueryResult, match: ServiceMatch | None, chosen: Decimal, currency: str | None
    ) -> str:
        args = self.args
        assert args.compare_to is not None
        before = comparison_period(self.period, args.compare_to, self.ctx.clock.now())
        flt = self.filter(before, match)
        earlier = [t for t in totals(self.store, flt) if t.currency == currency]
        previous = _chosen(earlier[0], args.cost_type) if earlier else Decimal(0)
        change = chosen - previous
        pct = float(change / previous) if previous else None
        result.comparison = Comparison(
            period=before.label,
            period_start=before.start,
            period_end=before.last_day,
            total=cents(previous),
            change=cents(change),
            change_pct=None if pct is None else round(pct, 4),
        )
        direction = "up" if change > 0 else "down" if change < 0 else "unchanged"
        text = (
            f"That is {direction} {money(abs(change), currency)} ({signed_percent(pct)}) from "
            f"{money(previous, currency)} {before.phrase}."
            if direction != "unchanged"
            else f"Unchanged from {before.phrase}."
        )
        if args.group_by and args.group_by not in TIME_GROUPINGS:
            text += self._compare_groups(result, flt, currency)
        return text

    def _compare_groups(self, result: CostQueryResult, flt: CostFilter, currency: str | None) -> str:
        args = self.args
        assert args.group_by is not None
        earlier = {g.key: g.billed for g in grouped(self.store, flt, args.group_by, args.cost_type)}
        for g in result.groups:
            prev = earlier.get(g.key, Decimal(0))
            g.previous_cost = cents(prev)
            g.change = cents(g.cost - prev)
            g.change_pct = round(float((g.cost - prev) / prev), 4) if prev else None
        table = result.tables[0]
        table.columns = [*table.columns, "Before", "Change", "Change %"]
        table.numeric = [1, 2, 3, 4, 5]
        for row, g in zip(table.rows, result.groups, strict=False):
            row += [amount(g.previous_cost or 0), amount(g.change or 0), signed_percent(g.change_pct)]
        for row in table.rows[len(result.groups) :]:
            row += ["", "", ""]
        movers = sorted(result.groups, key=lambda g: -abs(g.change or Decimal(0)))[:3]
        parts = [f"{g.key} {_signed_money(g.change or Decimal(0), currency)}" for g in movers if g.change]
        return f" Biggest changes: {', '.join(parts)}." if parts else ""

    def _series(self, result: CostQueryResult, flt: CostFilter, currency: str | None) -> None:
        args = self.args
        assert args.granularity is not None
        rows = series(self.store, flt, args.granularity, args.cost_type)
        result.series = [SeriesPoint(bucket=b, cost=cents(v)) for b, _k, v in rows]
        label = "Day" if args.granularity == "daily" else "Month"
        result.tables.append(
            Table(
                title=f"Cost per {label.lower()} {self.period.phrase}",
                columns=[label, f"Cost ({currency})"],
                rows=[[p.bucket, amount(p.cost)] for p in result.series[-MAX_TIME_GROUPS:]],
                numeric=[1],
            )
        )


def base_result(args: CostQueryInput, period: Period) -> CostQueryResult:
    return CostQueryResult(
        period=period.label,
        period_start=period.start,
        period_end=period.last_day,
        cost_type=args.cost_type,
        filters=AppliedFilters(
            service=args.service,
            region=args.region,
            account=args.account,
            tags=dict(args.tags),
            resource=args.resource,
            charge_category=args.charge_category,
        ),
        group_by=args.group_by,
    )


def group_title(group_by: str) -> str:
    return _GROUP_TITLES.get(group_by, f"Tag {group_by.removeprefix(TAG_PREFIX)}")


def _chosen(found: CurrencyTotal, cost_type: str) -> Decimal:
    return {"billed": found.billed, "effective": found.effective, "list": found.listed}[cost_type]


def _signed_money(value: Decimal, currency: str | None) -> str:
    return ("+" if value > 0 else "-") + money(abs(value), currency)


def _charts(ctx: ToolContext, result: CostQueryResult, args: CostQueryInput, period: Period) -> list[Chart]:
    charts: list[Chart] = []
    currency = result.currency
    word = _COST_WORDS[args.cost_type].capitalize()
    if args.group_by in TIME_GROUPINGS and len(result.groups) >= 2:
        buckets = [g.key for g in result.groups]
        charts.append(
            trend_chart(
                ctx.settings,
                f"{word} per {args.group_by}, {period.label}",
                buckets,
                {"cost": [float(g.cost) for g in result.groups]},
                currency,
                stacked=False,
            )
        )
    elif args.group_by and len(result.groups) >= 2:
        labels = [g.key for g in result.groups[:15]]
        if result.comparison is not None:
            charts.append(
                comparison_chart(
                    ctx.settings,
                    f"{word} by {group_title(args.group_by).lower()}: "
                    f"{period.label} vs {result.comparison.period}",
                    labels,
                    [float(g.cost) for g in result.groups[:15]],
                    [float(g.previous_cost or 0) for g in result.groups[:15]],
                    (period.label, result.comparison.period),
                    currency,
                )
            )
        else:
            charts.append(
                breakdown_chart(
                    ctx.settings,
                    f"{word} by {group_title(args.group_by).lower()}, {period.label}",
                    labels,
                    [float(g.cost) for g in result.groups[:15]],
                    currency,
                )
            )
    if args.granularity and len(result.series) >= 2:
        charts.append(
            trend_chart(
                ctx.settings,
                f"{word} per {'day' if args.granularity == 'daily' else 'month'}, {period.label}",
                [p.bucket for p in result.series],
                {"cost": [float(p.cost) for p in result.series]},
                currency,
                stacked=args.granularity == "monthly",
            )
        )
    return charts


def _subject(match: ServiceMatch | None) -> str:
    if match is None:
        return "Total"
    if len(match.names) == 1:
        return match.names[0]
    label = match.alias.name if match.alias else match.query
    return f"{label} ({', '.join(match.names)})"


def _criteria(args: CostQueryInput) -> list[str]:
    parts = []
    if args.region:
        parts.append(f"region {args.region}")
    if args.account:
        parts.append(f"account {args.account}")
    if args.resource:
        parts.append(f"resource {args.resource}")
    if args.charge_category:
        parts.append(f"charge category {args.charge_category}")
    return parts + [f"tag {k}={v}" for k, v in args.tags.items()]


def _qualifiers(args: CostQueryInput) -> str:
    parts = _criteria(args)
    return f" for {', '.join(parts)}" if parts else ""


def _limit(groups: list[GroupTotal], args: CostQueryInput) -> tuple[list[GroupTotal], list[GroupTotal]]:
    if args.top is not None:
        ranked = sorted(groups, key=lambda g: (-g.billed, g.key))
        return ranked[: args.top], ranked[args.top :]
    if args.group_by in TIME_GROUPINGS:
        # Chronological; when too long, the most recent buckets are the ones worth seeing.
        cut = max(len(groups) - MAX_TIME_GROUPS, 0)
        return groups[cut:], groups[:cut]
    return groups[:DEFAULT_TOP], groups[DEFAULT_TOP:]


def _labels(groups: list[GroupTotal]) -> list[str]:
    """Group keys, with the detail (e.g. the account id) added where two keys are the same."""
    counts: dict[str, int] = {}
    for g in groups:
        counts[g.key] = counts.get(g.key, 0) + 1
    return [f"{g.key} ({g.detail})" if counts[g.key] > 1 and g.detail else g.key for g in groups]


def _group(g: GroupTotal, label: str, total: Decimal) -> CostGroup:
    return CostGroup(key=label, cost=cents(g.billed), share=share(g.billed, total), row_count=g.rows)


def _table(
    title: str, key_title: str, currency: str | None, groups: list[CostGroup], total: Decimal
) -> Table:
    rows: list[list[object]] = [[g.key, amount(g.cost), percent(g.share)] for g in groups]
    return Table(title=title, columns=[key_title, f"Cost ({currency})", "Share"], rows=rows, numeric=[1, 2])


def _breakdown_text(result: CostQueryResult, title: str, currency: str | None) -> str:
    groups = result.groups
    if not groups:
        return ""
    if result.group_by in TIME_GROUPINGS and result.other_groups == 0 and len(groups) > 3:
        peak = max(groups, key=lambda g: g.cost)
        highest = f"{peak.key} ({money(peak.cost, currency)})"
        return f"{len(groups)} {title.lower()}s with charges; highest {highest}."
    shown = ", ".join(f"{g.key} {money(g.cost, currency)} ({percent(g.share)})" for g in groups[:3])
    more = len(groups) - 3 + result.other_groups
    tail = f"; {more} more in the table" if more > 0 else ""
    return f"By {title.lower()}: {shown}{tail}."


def _no_data(base: CostQueryResult, message: str) -> CostQueryResult:
    return base.model_copy(update={"status": ToolStatus.NO_DATA, "message": message})


def _listing(values: list[str]) -> str:
    head = ", ".join(values[:_LIST_LIMIT])
    return head + (f", … ({len(values) - _LIST_LIMIT} more)" if len(values) > _LIST_LIMIT else "")


def _unknown_service(match: ServiceMatch, store: CostStore) -> str:
    if match.candidates:
        return f"'{match.query}' matches several services; which one? {_listing(list(match.candidates))}."
    if match.alias is not None:
        return (
            f"No {match.alias.name} charges ({', '.join(match.alias.service_names)}) in the cost data. "
            f"Services in the data: {_listing(store.distinct('ServiceName'))}."
        )
    known = _listing(store.distinct("ServiceName"))
    return f"No service matches '{match.query}'. Services in the data: {known}."


def _unknown_value(kind: str, value: str, store: CostStore) -> str:
    known = store.region_keys() if kind == "region" else store.account_keys()
    return f"No charges for {kind} '{value}' in the cost data. Known {kind}s: {_listing(known)}."


def _nothing_in_range(
    store: CostStore, period: Period, flt: CostFilter, args: CostQueryInput, base: CostQueryResult
) -> str:
    covered = f"The cost data covers charges from {base.data_start} to {base.data_end}."
    unfiltered = CostFilter(start=period.start, end=period.end)
    if flt == unfiltered or not totals(store, unfiltered):
        return f"No cost data {period.phrase}. {covered}"
    criteria = ([f"service {args.service}"] if args.service else []) + _criteria(args)
    message = f"No charges match {', '.join(criteria)} {period.phrase}."
    keys = set(store.tag_keys())
    unknown = [k for k in args.tags if k.strip().lower() not in keys]
    if unknown:
        known = _listing(store.tag_keys())
        message += f" No charge has the tag key {', '.join(unknown)}; tag keys in the data: {known}."
    return f"{message} {covered}"


def _mixed_currencies(base: CostQueryResult, found: list[CurrencyTotal], period: Period) -> CostQueryResult:
    amounts = ", ".join(money(t.billed, t.currency) for t in found)
    table = Table(
        title=f"Cost per billing currency {period.phrase}",
        columns=["Currency", "Cost", "Charges"],
        rows=[[t.currency, amount(t.billed), t.rows] for t in found],
        numeric=[1, 2],
    )
    return base.model_copy(
        update={
            "status": ToolStatus.ERROR,
            "message": (
                f"These charges are billed in {len(found)} currencies ({amounts}) and cannot be added "
                "up. Narrow the question to one account or service billed in a single currency."
            ),
            "tables": [table],
            "row_count": sum(t.rows for t in found),
        }
    )


__all__ = [
    "CostGroup",
    "CostQuery",
    "CostQueryInput",
    "CostQueryResult",
    "base_result",
    "group_title",
]
