"""cost_query's second backend: the AWS Cost Explorer API (GetCostAndUsage).

Used when settings choose it (no billing export available). Each request costs $0.01 and
takes seconds, so one question is answered with as few requests as the paging allows, and the
count is reported. Questions by resource go to GetCostAndUsageWithResources, which Cost
Explorer answers only for the last 14 days and only once resource-level data is turned on in
its settings; such a request must carry a filter, so without one it is scoped to EC2 compute,
the service every account with that setting has resource-level data for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tools.base import UserFacingError
from tools.cost.money import to_decimal
from tools.cost.query import TAG_PREFIX, UNTAGGED

METRICS = {"billed": "UnblendedCost", "effective": "AmortizedCost"}
_DIMENSIONS = {
    "service": "SERVICE",
    "region": "REGION",
    "account": "LINKED_ACCOUNT",
    "charge_category": "RECORD_TYPE",
}
# Cost Explorer is served from us-east-1 whatever the account's regions.
CE_REGION = "us-east-1"
_MAX_PAGES = 20
RESOURCE_DAYS = 14
EC2_COMPUTE = "Amazon Elastic Compute Cloud - Compute"


@dataclass(frozen=True)
class CeQuery:
    start: date
    end: date  # exclusive
    cost_type: str = "billed"
    services: Sequence[str] = ()
    region: str | None = None
    account: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    charge_category: str | None = None
    group_by: str | None = None
    granularity: str = "MONTHLY"
    resource: str | None = None
    # The access policy's accounts (None: all), as a LINKED_ACCOUNT filter.
    accounts: frozenset[str] | None = None

    @property
    def resource_level(self) -> bool:
        return self.group_by == "resource" or bool(self.resource)

    @property
    def scoped_to_ec2(self) -> bool:
        """A resource-level request with nothing to filter on: the API needs a filter."""
        return self.resource_level and not self.services and not self.resource

    @property
    def buckets(self) -> str:
        """The granularity the user asked for (DAILY or MONTHLY)."""
        if self.group_by in ("day", "month"):
            return "DAILY" if self.group_by == "day" else "MONTHLY"
        return self.granularity


@dataclass
class CeAnswer:
    currency: str | None = None
    total: Decimal = Decimal(0)
    groups: dict[str, Decimal] = field(default_factory=dict)
    # Bucket (YYYY-MM or YYYY-MM-DD) -> total.
    series: dict[str, Decimal] = field(default_factory=dict)
    requests: int = 0
    estimated: bool = False
    # Set when a resource-level request had no filter and was scoped to EC2 compute.
    scoped_to: str | None = None


def unsupported(query: CeQuery, today: date) -> str | None:
    """Why Cost Explorer cannot answer this question, or None when it can."""
    if query.cost_type not in METRICS:
        return "Cost Explorer has no list-price metric; ask for billed or effective cost."
    earliest = today - timedelta(days=RESOURCE_DAYS)
    if query.resource_level and query.start < earliest:
        return (
            f"Cost Explorer keeps costs by resource for the last {RESOURCE_DAYS} days only (from "
            f"{earliest.isoformat()}); ask about a shorter, recent period, or load a billing export "
            "(FOCUS or CUR), which keeps every resource for as long as the bill goes back."
        )
    return None


def request(query: CeQuery) -> dict[str, Any]:
    metric = METRICS[query.cost_type]
    # Resource-level data is kept by day; months are added up from the days.
    granularity = "DAILY" if query.resource_level else query.buckets
    body: dict[str, Any] = {
        "TimePeriod": {"Start": query.start.isoformat(), "End": query.end.isoformat()},
        "Granularity": granularity,
        "Metrics": [metric],
    }
    conditions: list[dict[str, Any]] = []
    if query.services:
        conditions.append({"Dimensions": {"Key": "SERVICE", "Values": list(query.services)}})
    if query.region:
        conditions.append({"Dimensions": {"Key": "REGION", "Values": [query.region]}})
    if query.account:
        conditions.append({"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [query.account]}})
    if query.accounts is not None:
        conditions.append({"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": sorted(query.accounts)}})
    if query.charge_category:
        conditions.append({"Dimensions": {"Key": "RECORD_TYPE", "Values": [query.charge_category]}})
    if query.resource:
        conditions.append({"Dimensions": {"Key": "RESOURCE_ID", "Values": [query.resource]}})
    for key, value in query.tags.items():
        conditions.append({"Tags": {"Key": key, "Values": [value]}})
    if query.scoped_to_ec2:
        conditions.append({"Dimensions": {"Key": "SERVICE", "Values": [EC2_COMPUTE]}})
    if len(conditions) == 1:
        body["Filter"] = conditions[0]
    elif conditions:
        body["Filter"] = {"And": conditions}
    group = query.group_by
    if group and group.startswith(TAG_PREFIX):
        body["GroupBy"] = [{"Type": "TAG", "Key": group.removeprefix(TAG_PREFIX)}]
    elif group in _DIMENSIONS:
        body["GroupBy"] = [{"Type": "DIMENSION", "Key": _DIMENSIONS[group]}]
    elif group == "resource":
        body["GroupBy"] = [{"Type": "DIMENSION", "Key": "RESOURCE_ID"}]
    return body


def run(client: Any, query: CeQuery) -> CeAnswer:
    """Ask Cost Explorer, following NextPageToken, and add up the answer exactly."""
    body = request(query)
    metric = METRICS[query.cost_type]
    answer = CeAnswer()
    answer.scoped_to = EC2_COMPUTE if query.scoped_to_ec2 else None
    call = client.get_cost_and_usage_with_resources if query.resource_level else client.get_cost_and_usage
    token: str | None = None
    for _ in range(_MAX_PAGES):
        kwargs = dict(body)
        if token:
            kwargs["NextPageToken"] = token
        try:
            response = call(**kwargs)
        except Exception as exc:  # botocore errors: access denied, throttling, bad filter
            hint = ""
            if query.resource_level:
                hint = " (costs by resource need resource-level data turned on in Cost Explorer's settings)"
            raise UserFacingError(f"Cost Explorer could not answer: {exc}{hint}") from exc
        answer.requests += 1
        for period in response.get("ResultsByTime", []):
            # What the user asked for decides the buckets, also when the request had to be by day.
            bucket = _bucket(period.get("TimePeriod", {}).get("Start", ""), query.buckets)
            answer.estimated = answer.estimated or bool(period.get("Estimated"))
            if period.get("Groups"):
                for g in period["Groups"]:
                    amount, unit = _amount(g.get("Metrics", {}).get(metric))
                    key = _group_key(g.get("Keys", [""])[0], query.group_by)
                    answer.groups[key] = answer.groups.get(key, Decimal(0)) + amount
                    answer.series[bucket] = answer.series.get(bucket, Decimal(0)) + amount
                    answer.total += amount
                    answer.currency = answer.currency or unit
            else:
                amount, unit = _amount(period.get("Total", {}).get(metric))
                answer.series[bucket] = answer.series.get(bucket, Decimal(0)) + amount
                answer.total += amount
                answer.currency = answer.currency or unit
        token = response.get("NextPageToken")
        if not token:
            break
    if query.group_by in ("day", "month"):
        answer.groups = dict(answer.series)
    return answer


def _amount(value: Any) -> tuple[Decimal, str | None]:
    if not isinstance(value, dict):
        return Decimal(0), None
    return to_decimal(value.get("Amount", "0")), value.get("Unit")


def _bucket(start: str, granularity: str) -> str:
    return start[:7] if granularity == "MONTHLY" else start[:10]


def _group_key(raw: str, group_by: str | None) -> str:
    if group_by and group_by.startswith(TAG_PREFIX):
        # Tag groups come back as "key$value"; an empty value means untagged.
        value = raw.split("$", 1)[1] if "$" in raw else raw
        return value or UNTAGGED
    return raw or "(none)"
