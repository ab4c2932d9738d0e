"""cost_query answered from the local store: run the queries a question needs and fill the result.

Figures are summed exactly and rounded half-up to the cent once, after summing; the wording and
layout come from `cost_query_render`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tools.base import ToolContext
from tools.cost import cost_query_render as render
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
from tools.cost.datastore import CostStore, cost_store
from tools.cost.money import amount, cents, money, percent, share, signed_percent
from tools.cost.periods import Period, comparison_period
from tools.cost.providers import match_provider, provider_label
from tools.cost.query import (
    TIME_GROUPINGS,
    CostFilter,
    CurrencyTotal,
    GroupTotal,
    grouped,
    require_visible_account,
    series,
    totals,
    value_exists,
)
from tools.cost.services import ServiceMatch, match_service
from tools.presentation import Table

# Time buckets shown at most; the most recent ones are kept.
MAX_TIME_GROUPS = 100
_LIST_LIMIT = 40


class LocalAnswer:
    """One question answered from the context's cost store."""

    def __init__(self, ctx: ToolContext, args: CostQueryInput, period: Period) -> None:
        self.ctx = ctx
        self.args = args
        self.period = period
        self.store = cost_store(ctx)
        self.providers: tuple[str, ...] | None = None
        # Per group, one value per series bucket: the spend per day or month drawn stacked.
        self.stacks: dict[str, list[float]] = {}

    def answer(self) -> CostQueryResult:
        args, period, store = self.args, self.period, self.store
        coverage = store.coverage()
        base = base_result(args, period)
        base.data_start = coverage.first_day if coverage else None
        base.data_end = coverage.last_day if coverage else None
        if coverage is None:
            return render.no_data(base, "The cost data is empty: no charges are loaded.")

        match: ServiceMatch | None = None
        if args.service:
            match = match_service(args.service, store.distinct("ServiceName"))
            if not match.matched:
                return render.no_data(base, _unknown_service(match, store))
            base.filters.service_names = list(match.names)
        providers: tuple[str, ...] | None = None
        if args.provider:
            providers = match_provider(args.provider, store.distinct("ProviderName"))
            if not providers:
                return render.no_data(base, _unknown_provider(args.provider, store))
            base.filters.provider_names = list(providers)
        require_visible_account(store, args.account, self.ctx.allowed_accounts)
        for kind, value in (("region", args.region), ("account", args.account)):
            if value and not value_exists(store, kind, value):
                return render.no_data(base, _unknown_value(kind, value, store))

        self.providers = providers
        flt = self.filter(period, match)
        per_currency = totals(store, flt)
        if not per_currency:
            return render.no_data(base, _nothing_in_range(store, period, flt, args, base))
        if len(per_currency) > 1:
            return render.mixed_currencies(base, per_currency, period)

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
        subject = render.subject(match)
        word = render.COST_WORDS[args.cost_type]
        headline = (
            f"{subject} {word} {money(chosen, found.currency)} {period.phrase}{render.qualifiers(args)}."
        )
        message = [headline]
        today = self.ctx.clock.now().date()
        message.append(render.coverage_note(period, coverage.first_day, coverage.last_day, today))
        if args.group_by is None:
            only = CostGroup(key=subject, cost=result.total, share=1.0, row_count=found.rows, exact=chosen)
            result.tables = [render.table(f"Cost {period.phrase}", "Scope", found.currency, [only], chosen)]
        else:
            message.append(self._breakdown(result, flt, chosen, found.currency))
        if args.compare_to:
            message.append(
                self._compare(result, match, chosen, found.currency, (coverage.first_day, coverage.last_day))
            )
        if args.granularity:
            self._series(result, flt, found.currency)
        result.message = " ".join(m for m in message if m)
        if args.chart:
            result.charts = render.charts(self.ctx, result, args, period, self.stacks)
        return result

    def filter(self, period: Period, match: ServiceMatch | None) -> CostFilter:
        args = self.args
        return CostFilter(
            start=period.start,
            end=period.end,
            service_names=match.names if match else None,
            region=args.region,
            account=args.account,
            provider_names=self.providers,
            tags=dict(args.tags),
            resource=args.resource,
            charge_category=args.charge_category,
            accounts=self.ctx.allowed_accounts,
        )

    def _breakdown(
        self, result: CostQueryResult, flt: CostFilter, chosen: Decimal, currency: str | None
    ) -> str:
        args = self.args
        assert args.group_by is not None
        groups = grouped(self.store, flt, args.group_by, args.cost_type)
        kept, rest = _limit(groups, args)
        result.groups = [
            render.group_row(g, label, chosen) for g, label in zip(kept, render.labels(kept), strict=True)
        ]
        result.other_groups = len(rest)
        result.other_cost = cents(sum((g.billed for g in rest), Decimal(0)))
        title = group_title(args.group_by)
        table = render.table(
            f"Cost by {title.lower()} {self.period.phrase}", title, currency, result.groups, chosen
        )
        if rest:
            other = sum((g.billed for g in rest), Decimal(0))
            table.rows.append([f"Other ({len(rest)} more)", amount(other), percent(share(other, chosen))])
        table.rows.append(["Total", amount(chosen), percent(1.0 if chosen else 0.0)])
        result.tables = [table]
        return render.breakdown_text(result, title, currency)

    def _compare(
        self,
        result: CostQueryResult,
        match: ServiceMatch | None,
        chosen: Decimal,
        currency: str | None,
        covered: tuple[date, date],
    ) -> str:
        args = self.args
        assert args.compare_to is not None
        before = comparison_period(self.period, args.compare_to, self.ctx.clock.now())
        note = render.coverage_note(before, *covered, self.ctx.clock.now().date(), before.label)
        if note.startswith("There is no cost data"):
            # Nothing to compare with: "up 100% from $0.00" would be a finding the data cannot make.
            return f"No comparison with {before.label}. {note}"
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
        if note:
            text += f" {note}"
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
            g.previous_exact = prev
            g.change = cents(g.amount - prev)
            g.change_pct = round(float((g.amount - prev) / prev), 4) if prev else None
        table = result.tables[0]
        table.columns = [*table.columns, "Before", "Change", "Change %"]
        table.numeric = [1, 2, 3, 4, 5]
        for row, g in zip(table.rows, result.groups, strict=False):
            row += [
                amount(g.previous_amount),
                amount(g.amount - g.previous_amount),
                signed_percent(g.change_pct),
            ]
        for row in table.rows[len(result.groups) :]:
            row += ["", "", ""]
        movers = sorted(result.groups, key=lambda g: -abs(g.amount - g.previous_amount))[:3]
        parts = [
            f"{g.key} {render.signed_money(g.amount - g.previous_amount, currency)}"
            for g in movers
            if g.amount != g.previous_amount
        ]
        return f" Biggest changes: {', '.join(parts)}." if parts else ""

    def _series(self, result: CostQueryResult, flt: CostFilter, currency: str | None) -> None:
        args = self.args
        assert args.granularity is not None
        rows = series(self.store, flt, args.granularity, args.cost_type)
        result.series = [SeriesPoint(bucket=b, cost=cents(v), exact=v) for b, _k, v in rows]
        label = "Day" if args.granularity == "daily" else "Month"
        result.tables.append(
            Table(
                title=f"Cost per {label.lower()} {self.period.phrase}",
                columns=[label, f"Cost ({currency})"],
                rows=[[p.bucket, amount(p.amount)] for p in result.series[-MAX_TIME_GROUPS:]],
                numeric=[1],
            )
        )
        if args.group_by and args.group_by not in TIME_GROUPINGS and args.chart:
            self.stacks = _stacks(
                series(self.store, flt, args.granularity, args.cost_type, args.group_by),
                [p.bucket for p in result.series],
            )


# Groups drawn on their own in a stacked trend; the rest are one "Other" segment.
STACKED_GROUPS = 6


def _stacks(rows: list[tuple[str, str | None, Decimal]], buckets: list[str]) -> dict[str, list[float]]:
    """Per group, its cost in each bucket: the largest groups, then "Other"."""
    per: dict[str, dict[str, float]] = {}
    for bucket, key, value in rows:
        per.setdefault(key or "(none)", {})[bucket] = float(value)
    ranked = sorted(per, key=lambda k: -sum(per[k].values()))
    out = {k: [per[k].get(b, 0.0) for b in buckets] for k in ranked[:STACKED_GROUPS]}
    rest = ranked[STACKED_GROUPS:]
    if rest:
        out["Other"] = [sum(per[k].get(b, 0.0) for k in rest) for b in buckets]
    return out


def _chosen(found: CurrencyTotal, cost_type: str) -> Decimal:
    return {"billed": found.billed, "effective": found.effective, "list": found.listed}[cost_type]


def _limit(groups: list[GroupTotal], args: CostQueryInput) -> tuple[list[GroupTotal], list[GroupTotal]]:
    if args.top is not None:
        ranked = sorted(groups, key=lambda g: (-g.billed, g.key))
        return ranked[: args.top], ranked[args.top :]
    if args.group_by in TIME_GROUPINGS:
        # Chronological; when too long, the most recent buckets are the ones worth seeing.
        cut = max(len(groups) - MAX_TIME_GROUPS, 0)
        return groups[cut:], groups[:cut]
    return groups[:DEFAULT_TOP], groups[DEFAULT_TOP:]


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


def _unknown_provider(query: str, store: CostStore) -> str:
    known = _listing(store.distinct("ProviderName"))
    return f"No {provider_label(query)} data is loaded: the cost data has charges from {known} only."


def _unknown_value(kind: str, value: str, store: CostStore) -> str:
    known = store.region_keys() if kind == "region" else store.account_keys()
    return f"No charges for {kind} '{value}' in the cost data. Known {kind}s: {_listing(known)}."


def _nothing_in_range(
    store: CostStore, period: Period, flt: CostFilter, args: CostQueryInput, base: CostQueryResult
) -> str:
    covered = f"The cost data covers charges from {base.data_start} to {base.data_end}."
    unfiltered = CostFilter(start=period.start, end=period.end, accounts=flt.accounts)
    if flt == unfiltered or not totals(store, unfiltered):
        return f"No cost data {period.phrase}. {covered}"
    criteria = ([f"service {args.service}"] if args.service else []) + render.criteria(args)
    message = f"No charges match {', '.join(criteria)} {period.phrase}."
    keys = set(store.tag_keys())
    unknown = [k for k in args.tags if k.strip().lower() not in keys]
    if unknown:
        known = _listing(store.tag_keys())
        message += f" No charge has the tag key {', '.join(unknown)}; tag keys in the data: {known}."
    return f"{message} {covered}"
