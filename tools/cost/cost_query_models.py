"""cost_query's input and result models, shared by the local and the Cost Explorer answers.

Both answers fill the same result shape, so a caller never needs to know which backend spoke.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from tools.base import ToolInput, ToolResult
from tools.cost.periods import Period
from tools.cost.query import GROUPINGS, TAG_PREFIX

# Without an explicit `top`, long group lists are cut here and the rest summed as "Other",
# so an answer never floods the chat or the model's context.
DEFAULT_TOP = 25

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
    provider: str | None = Field(
        default=None,
        description="Only this cloud provider: a FOCUS ProviderName (AWS, Microsoft, Google Cloud, Oracle…) "
        "or a common name (azure, gcp, oci)",
    )
    tags: dict[str, str] = Field(default_factory=dict, description="Only charges with all these tags")
    group_by: (
        Literal["service", "region", "account", "provider", "resource", "charge_category", "day", "month"]
        | str
        | None
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
    # The unrounded sums, for what people read ("< $0.01" rather than "$0.00"); not in the data.
    exact: Decimal | None = Field(default=None, exclude=True, repr=False)
    previous_exact: Decimal | None = Field(default=None, exclude=True, repr=False)

    @property
    def amount(self) -> Decimal:
        return self.cost if self.exact is None else self.exact

    @property
    def previous_amount(self) -> Decimal:
        if self.previous_exact is not None:
            return self.previous_exact
        return self.previous_cost or Decimal(0)


class SeriesPoint(BaseModel):
    bucket: str
    cost: Decimal
    exact: Decimal | None = Field(default=None, exclude=True, repr=False)

    @property
    def amount(self) -> Decimal:
        return self.cost if self.exact is None else self.exact


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
    provider: str | None = None
    # The data's ProviderName values the provider filter matched.
    provider_names: list[str] = Field(default_factory=list)
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


def base_result(args: CostQueryInput, period: Period) -> CostQueryResult:
    """The result's echo of the question, before any figure is filled in."""
    return CostQueryResult(
        period=period.label,
        period_start=period.start,
        period_end=period.last_day,
        cost_type=args.cost_type,
        filters=AppliedFilters(
            service=args.service,
            region=args.region,
            account=args.account,
            provider=args.provider,
            tags=dict(args.tags),
            resource=args.resource,
            charge_category=args.charge_category,
        ),
        group_by=args.group_by,
    )


def group_title(group_by: str) -> str:
    """A grouping's column title: 'Service', 'Charge category', 'Tag team'."""
    return _GROUP_TITLES.get(group_by, f"Tag {group_by.removeprefix(TAG_PREFIX)}")
