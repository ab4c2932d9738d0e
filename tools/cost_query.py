"""cost_query: how much did we spend, on what, where — from FOCUS billing exports."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, Field, field_validator

from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus
from tools.cost.datastore import CostStore, cost_store
from tools.cost.periods import Period, resolve_period
from tools.cost.query import (
    GROUPINGS,
    TAG_PREFIX,
    TIME_GROUPINGS,
    CostFilter,
    CurrencyTotal,
    GroupTotal,
    grouped,
    totals,
    value_exists,
)
from tools.cost.services import ServiceMatch, match_service
from tools.presentation import Table

CENT = Decimal("0.01")
# Without an explicit `top`, long group lists are cut here and the rest summed as "Other",
# so an answer never floods the chat or the model's context.
DEFAULT_TOP = 25
MAX_TIME_GROUPS = 100
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
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


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


class CostGroup(BaseModel):
    key: str
    cost: Decimal
    # Fraction of the total (0.25 = 25%); credits can make it negative or above 1.
    share: float
    row_count: int = 0


class AppliedFilters(BaseModel):
    service: str | None = None
    # The providers' ServiceName values the service filter matched in the data.
    service_names: list[str] = Field(default_factory=list)
    region: str | None = None
    account: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class CostQueryResult(ToolResult):
    currency: str | None = None
    period: str = ""
    period_start: date | None = None
    # Last day included.
    period_end: date | None = None
    filters: AppliedFilters = Field(default_factory=AppliedFilters)
    group_by: str | None = None
    # BilledCost, rounded half-up to the cent after summing; the other two are for context.
    total: Decimal = Decimal("0.00")
    effective_total: Decimal = Decimal("0.00")
    list_total: Decimal = Decimal("0.00")
    row_count: int = 0
    groups: list[CostGroup] = Field(default_factory=list)
    # Groups cut by `top` (or the default limit), summed.
    other_groups: int = 0
    other_cost: Decimal = Decimal("0.00")
    data_start: date | None = None
    data_end: date | None = None


class CostQuery(ReadOnlyTool[CostQueryInput, CostQueryResult]):
    name: ClassVar[str] = "cost_query"
    description: ClassVar[str] = (
        "Cloud spend from billing data (FOCUS exports, all providers): total billed cost for a "
        "period, optionally filtered by service, region, account and tags, and broken down by "
        "service, region, account, resource, charge category, day, month or a tag."
    )
    input_model: ClassVar[type[ToolInput]] = CostQueryInput
    result_model: ClassVar[type[ToolResult]] = CostQueryResult
    # It reads billing exports already on disk (settings.focus_paths or the bundled sample),
    # never a cloud API, so it needs no IAM action; Cost Explorer's ce:GetCostAndUsage would
    # be wrong to ask for.
    permissions: ClassVar[tuple[str, ...]] = ()

    def run(self, ctx: ToolContext, args: CostQueryInput) -> CostQueryResult:
        period = resolve_period(args.period, ctx.clock.now())
        store = cost_store(ctx)
        coverage = store.coverage()
        base = CostQueryResult(
            period=period.label,
            period_start=period.start,
            period_end=period.last_day,
            filters=AppliedFilters(
                service=args.service, region=args.region, account=args.account, tags=dict(args.tags)
            ),
            group_by=args.group_by,
            data_start=coverage.first_day if coverage else None,
            data_end=coverage.last_day if coverage else None,
        )
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

        flt = CostFilter(
            start=period.start,
            end=period.end,
            service_names=match.names if match else None,
            region=args.region,
            account=args.account,
            tags=dict(args.tags),
        )
        per_currency = totals(store, flt)
        if not per_currency:
            return _no_data(base, _nothing_in_range(store, period, flt, args, base))
        if len(per_currency) > 1:
            return _mixed_currencies(base, per_currency, period)

        found = per_currency[0]
        result = base.model_copy(
            update={
                "currency": found.currency,
                "total": _cents(found.billed),
                "effective_total": _cents(found.effective),
                "list_total": _cents(found.listed),
                "row_count": found.rows,
            }
        )
        subject = _subject(match)
        headline = (
            f"{subject} cost {_money(found.billed, found.currency)} {period.phrase}{_qualifiers(args)}."
        )
        if args.group_by is None:
            only = CostGroup(key=subject, cost=result.total, share=1.0, row_count=found.rows)
            result.tables = [_table(f"Cost {period.phrase}", "Scope", found.currency, [only], found.billed)]
            result.message = headline
            return result

        groups = grouped(store, flt, args.group_by)
        kept, rest = _limit(groups, args)
        result.groups = [_group(g, label, found.billed) for g, label in zip(kept, _labels(kept), strict=True)]
        result.other_groups = len(rest)
        result.other_cost = _cents(sum((g.billed for g in rest), Decimal(0)))
        title = _GROUP_TITLES.get(args.group_by, f"Tag {args.group_by.removeprefix(TAG_PREFIX)}")
        table = _table(
            f"Cost by {title.lower()} {period.phrase}", title, found.currency, result.groups, found.billed
        )
        if rest:
            other = sum((g.billed for g in rest), Decimal(0))
            table.rows.append(
                [f"Other ({len(rest)} more)", _amount(other), _percent(_share(other, found.billed))]
            )
        table.rows.append(["Total", _amount(found.billed), _percent(1.0 if found.billed else 0.0)])
        result.tables = [table]
        result.message = f"{headline} {_breakdown(result, title, found.currency)}"
        return result


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _share(part: Decimal, total: Decimal) -> float:
    if total == 0:
        return 0.0
    return float((part / total).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _money(value: Decimal, currency: str | None) -> str:
    cents = _cents(value)
    sign = "-" if cents < 0 else ""
    symbol = _SYMBOLS.get(currency or "")
    if symbol:
        return f"{sign}{symbol}{abs(cents):,.2f}"
    return f"{sign}{abs(cents):,.2f} {currency or ''}".rstrip()


def _amount(value: Decimal) -> str:
    return f"{_cents(value):,.2f}"


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


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
    return CostGroup(key=label, cost=_cents(g.billed), share=_share(g.billed, total), row_count=g.rows)


def _table(
    title: str, key_title: str, currency: str | None, groups: list[CostGroup], total: Decimal
) -> Table:
    rows: list[list[object]] = [[g.key, _amount(g.cost), _percent(g.share)] for g in groups]
    return Table(title=title, columns=[key_title, f"Cost ({currency})", "Share"], rows=rows, numeric=[1, 2])


def _breakdown(result: CostQueryResult, title: str, currency: str | None) -> str:
    groups = result.groups
    if not groups:
        return ""
    if result.group_by in TIME_GROUPINGS and result.other_groups == 0 and len(groups) > 3:
        peak = max(groups, key=lambda g: g.cost)
        highest = f"{peak.key} ({_money(peak.cost, currency)})"
        return f"{len(groups)} {title.lower()}s with charges; highest {highest}."
    shown = ", ".join(f"{g.key} {_money(g.cost, currency)} ({_percent(g.share)})" for g in groups[:3])
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
    amounts = ", ".join(_money(t.billed, t.currency) for t in found)
    table = Table(
        title=f"Cost per billing currency {period.phrase}",
        columns=["Currency", "Cost", "Charges"],
        rows=[[t.currency, _amount(t.billed), t.rows] for t in found],
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
