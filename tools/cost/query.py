"""Aggregations over the loaded charges. User values only ever travel as SQL parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from tools.base import UserFacingError
from tools.cost.datastore import CostStore

# name: (group key expression, detail expression that tells apart groups with equal keys).
# Charges lacking the attribute get a placeholder key so the groups still add up to the total.
_GROUP_SQL: dict[str, tuple[str, str]] = {
    "service": ("coalesce(c.ServiceName, '(no service)')", "NULL"),
    "region": ("coalesce(c.RegionId, c.RegionName, '(no region)')", "NULL"),
    "account": (
        "coalesce(c.SubAccountName, c.SubAccountId, c.BillingAccountName, c.BillingAccountId, "
        "'(no account)')",
        "coalesce(c.SubAccountId, c.BillingAccountId)",
    ),
    "resource": ("coalesce(c.ResourceId, '(no resource id)')", "NULL"),
    "charge_category": ("coalesce(c.ChargeCategory, '(no category)')", "NULL"),
    "provider": ("coalesce(c.ProviderName, '(no provider)')", "NULL"),
    "day": ("strftime(c.ChargePeriodStart, '%Y-%m-%d')", "NULL"),
    "month": ("strftime(c.ChargePeriodStart, '%Y-%m')", "NULL"),
}
GROUPINGS = tuple(_GROUP_SQL)
TIME_GROUPINGS = ("day", "month")
TAG_PREFIX = "tag:"
UNTAGGED = "(untagged)"


COST_COLUMNS = {"billed": "BilledCost", "effective": "EffectiveCost", "list": "ListCost"}
# Charges that are usage: what anomaly detection and forecasting model day by day. Purchases,
# taxes, credits and refunds arrive on their own schedule and would read as spikes.
USAGE_ONLY = "coalesce(c.ChargeCategory, 'Usage') = 'Usage'"


def cost_column(cost_type: str) -> str:
    return COST_COLUMNS[cost_type]


@dataclass(frozen=True)
class CostFilter:
    """Charges whose ChargePeriodStart falls in [start, end) and that match every given filter."""

    start: date
    end: date
    service_names: tuple[str, ...] | None = None
    region: str | None = None
    account: str | None = None
    # ProviderName values (None: every provider).
    provider_names: tuple[str, ...] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    resource: str | None = None
    charge_category: str | None = None
    usage_only: bool = False
    # The access policy's accounts (None: all): a charge belongs to its sub account (the AWS
    # account that used it), or to its billing account when the export names no sub account.
    accounts: frozenset[str] | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses = ["c.ChargePeriodStart >= ?", "c.ChargePeriodStart < ?"]
        params: list[Any] = [datetime.combine(self.start, time()), datetime.combine(self.end, time())]
        if self.resource:
            clauses.append("(lower(c.ResourceId) = ? OR lower(c.ResourceName) = ?)")
            params.extend([self.resource.strip().lower()] * 2)
        if self.charge_category:
            clauses.append("lower(c.ChargeCategory) = ?")
            params.append(self.charge_category.strip().lower())
        if self.usage_only:
            clauses.append(USAGE_ONLY)
        if self.service_names is not None:
            if not self.service_names:
                clauses.append("FALSE")
            else:
                clauses.append(f"c.ServiceName IN ({', '.join('?' * len(self.service_names))})")
                params.extend(self.service_names)
        if self.provider_names is not None:
            if not self.provider_names:
                clauses.append("FALSE")
            else:
                clauses.append(f"c.ProviderName IN ({', '.join('?' * len(self.provider_names))})")
                params.extend(self.provider_names)
        if self.region:
            clauses.append(region_clause())
            params.extend([self.region.strip().lower()] * 2)
        if self.account:
            clauses.append(account_clause())
            params.extend([self.account.strip().lower()] * 4)
        if self.accounts is not None:
            clause, values = allowed_accounts_clause(self.accounts)
            clauses.append(clause)
            params.extend(values)
        for key, value in self.tags.items():
            # Keys and values match ignoring case and surrounding spaces: exports differ
            # ("Environment" vs "environment", " org").
            clauses.append(
                "EXISTS (SELECT 1 FROM tag_values t WHERE t.tag_set = c.tag_set "
                "AND t.key_norm = ? AND lower(trim(t.value)) = ?)"
            )
            params.extend([key.strip().lower(), value.strip().lower()])
        return " AND ".join(clauses), params


def region_clause() -> str:
    return "(lower(c.RegionId) = ? OR lower(c.RegionName) = ?)"


def account_clause() -> str:
    return (
        "(lower(c.SubAccountId) = ? OR lower(c.SubAccountName) = ? "
        "OR lower(c.BillingAccountId) = ? OR lower(c.BillingAccountName) = ?)"
    )


def allowed_accounts_clause(accounts: frozenset[str]) -> tuple[str, list[Any]]:
    if not accounts:
        return "FALSE", []
    marks = ", ".join("?" * len(accounts))
    return f"lower(coalesce(c.SubAccountId, c.BillingAccountId)) IN ({marks})", sorted(
        a.strip().lower() for a in accounts
    )


def require_visible_account(store: CostStore, account: str | None, allowed: frozenset[str] | None) -> None:
    """Refuse a question about an account the access policy hides here. Unknown accounts are
    refused the same way, so the answer does not tell which accounts exist."""
    if not account or allowed is None:
        return
    clause, values = allowed_accounts_clause(allowed)
    rows = store.fetch(
        f"SELECT count(*) FROM charges c WHERE {account_clause()} AND {clause}",
        [account.strip().lower()] * 4 + values,
    )
    if not rows[0][0]:
        raise UserFacingError(f"Account {account} is not allowed here (access policy).")


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    billed: Decimal
    effective: Decimal
    listed: Decimal
    rows: int


@dataclass(frozen=True)
class GroupTotal:
    key: str
    detail: str | None
    # The sum of the chosen cost column (BilledCost unless asked otherwise).
    billed: Decimal
    rows: int


def totals(store: CostStore, flt: CostFilter) -> list[CurrencyTotal]:
    """Unrounded sums per billing currency, largest first."""
    where, params = flt.where()
    rows = store.fetch(
        "SELECT coalesce(c.BillingCurrency, '(unknown)'), sum(c.BilledCost), sum(c.EffectiveCost), "
        f"sum(c.ListCost), count(*) FROM charges c WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1",
        params,
    )
    return [
        CurrencyTotal(cur, _dec(billed), _dec(effective), _dec(listed), int(n))
        for cur, billed, effective, listed, n in rows
    ]


def group_sql(group_by: str) -> tuple[str, str, str, list[Any]]:
    """(key expression, detail expression, join clause, join parameters) for a grouping."""
    if group_by.startswith(TAG_PREFIX):
        # A charge carrying the same key twice (differing only in case or spaces) counts once.
        join = (
            "LEFT JOIN (SELECT tag_set, min(value) AS value FROM tag_values WHERE key_norm = ? "
            "GROUP BY tag_set) g ON g.tag_set = c.tag_set"
        )
        key = group_by.removeprefix(TAG_PREFIX).strip().lower()
        return f"coalesce(g.value, '{UNTAGGED}')", "NULL", join, [key]
    key_sql, detail_sql = _GROUP_SQL[group_by]
    return key_sql, detail_sql, "", []


def grouped(store: CostStore, flt: CostFilter, group_by: str, cost_type: str = "billed") -> list[GroupTotal]:
    """Unrounded cost per group: by cost (largest first), or by time for day/month."""
    where, params = flt.where()
    key_sql, detail_sql, join, join_params = group_sql(group_by)
    order = "1, 2" if group_by in TIME_GROUPINGS else "3 DESC, 1, 2"
    column = cost_column(cost_type)
    rows = store.fetch(
        f"SELECT {key_sql} AS k, {detail_sql} AS d, sum(c.{column}), count(*) FROM charges c {join} "
        f"WHERE {where} GROUP BY k, d ORDER BY {order}",
        [*join_params, *params],
    )
    return [GroupTotal(k, d, _dec(cost), int(n)) for k, d, cost, n in rows]


def series(
    store: CostStore,
    flt: CostFilter,
    granularity: str,
    cost_type: str = "billed",
    group_by: str | None = None,
) -> list[tuple[str, str | None, Decimal]]:
    """(bucket, group key or None, cost) per day or month, in time order."""
    where, params = flt.where()
    bucket = _GROUP_SQL["day" if granularity == "daily" else "month"][0]
    column = cost_column(cost_type)
    if group_by is None or group_by in TIME_GROUPINGS:
        rows = store.fetch(
            f"SELECT {bucket} AS b, NULL, sum(c.{column}) FROM charges c WHERE {where} GROUP BY b ORDER BY b",
            params,
        )
    else:
        key_sql, _detail, join, join_params = group_sql(group_by)
        rows = store.fetch(
            f"SELECT {bucket} AS b, {key_sql} AS k, sum(c.{column}) FROM charges c {join} WHERE {where} "
            "GROUP BY b, k ORDER BY b, k",
            [*join_params, *params],
        )
    return [(b, k, _dec(v)) for b, k, v in rows]


def daily_by(
    store: CostStore, flt: CostFilter, dimension: str | None, cost_type: str = "billed"
) -> dict[str, dict[date, Decimal]]:
    """Cost per day for each key of `dimension` (None: one series named "Total")."""
    where, params = flt.where()
    column = cost_column(cost_type)
    if dimension is None:
        key_sql, join = "'Total'", ""
        join_params: list[Any] = []
    else:
        key_sql, _detail, join, join_params = group_sql(dimension)
    rows = store.fetch(
        f"SELECT {key_sql} AS k, CAST(c.ChargePeriodStart AS DATE) AS d, sum(c.{column}) "
        f"FROM charges c {join} "
        f"WHERE {where} GROUP BY k, d",
        [*join_params, *params],
    )
    out: dict[str, dict[date, Decimal]] = {}
    for key, day, cost in rows:
        out.setdefault(str(key), {})[day] = _dec(cost)
    return out


def value_exists(store: CostStore, kind: str, value: str) -> bool:
    """Whether any loaded charge, in any period, has this region or account."""
    clause = region_clause() if kind == "region" else account_clause()
    count = 2 if kind == "region" else 4
    rows = store.fetch(f"SELECT count(*) FROM charges c WHERE {clause}", [value.strip().lower()] * count)
    return bool(rows[0][0])


def _dec(value: Any) -> Decimal:
    return Decimal(0) if value is None else Decimal(value)
