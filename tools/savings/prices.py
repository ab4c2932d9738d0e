"""Unit prices from the bill itself, for estimating what an idle resource costs per month.

The bill's rows for the same product (an instance type's hours, a volume type's GB-months)
give the price actually paid: effective cost over consumed quantity, in the same region when
the bill has it, else in any region. Only when the bill never charged for the product does a
small table of public on-demand list prices (us-east-1) stand in, and the estimate says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tools.cost.datastore import CostStore

HOURS_PER_MONTH = Decimal(730)

# Public on-demand list prices, us-east-1, USD; used only when the bill has no such charge.
_LIST_PRICES: dict[str, Decimal] = {
    "ebs:gp2": Decimal("0.10"),
    "ebs:gp3": Decimal("0.08"),
    "ebs:io1": Decimal("0.125"),
    "ebs:io2": Decimal("0.125"),
    "ebs:st1": Decimal("0.045"),
    "ebs:sc1": Decimal("0.015"),
    "ebs:standard": Decimal("0.05"),
    "snapshot": Decimal("0.05"),
    "idle_ip": Decimal("0.005"),
    "ec2:t2.micro": Decimal("0.0116"),
    "ec2:t3.micro": Decimal("0.0104"),
    "ec2:t3.small": Decimal("0.0208"),
    "ec2:t3.medium": Decimal("0.0416"),
    "ec2:t3.large": Decimal("0.0832"),
    "ec2:t3.xlarge": Decimal("0.1664"),
    "ec2:m5.large": Decimal("0.096"),
    "ec2:m5.xlarge": Decimal("0.192"),
    "ec2:m5.2xlarge": Decimal("0.384"),
    "ec2:c5.large": Decimal("0.085"),
    "ec2:c5.xlarge": Decimal("0.17"),
    "ec2:c5.2xlarge": Decimal("0.34"),
    "ec2:r5.large": Decimal("0.126"),
}

# kind -> (UsageType suffix pattern, ChargeDescription pattern); "{x}" is the detail.
_PATTERNS: dict[str, tuple[str, str]] = {
    "ec2": ("%BoxUsage:{x}", "%On Demand % {x} Instance Hour%"),
    "ebs": ("%VolumeUsage.{x}", "%({x})%provisioned storage%"),
    "ebs_standard": ("%EBS:VolumeUsage", "%Magnetic provisioned storage%"),
    "snapshot": ("%SnapshotUsage%", "%snapshot data stored%"),
    "idle_ip": ("%IdleAddress%", "%Idle public IPv4%"),
}


@dataclass(frozen=True)
class Price:
    unit_price: Decimal
    unit: str
    # "bill" (this region), "bill (other regions)" or "list price".
    source: str
    currency: str = "USD"


class PriceBook:
    def __init__(self, store: CostStore | None) -> None:
        self.store = store
        self._cache: dict[tuple[str, str, str], Price | None] = {}

    def instance_hour(self, instance_type: str, region: str) -> Price | None:
        return self._lookup("ec2", instance_type, region, "hour", f"ec2:{instance_type}")

    def volume_gb_month(self, volume_type: str, region: str) -> Price | None:
        if volume_type == "standard":
            return self._lookup("ebs_standard", "", region, "GB-month", "ebs:standard")
        return self._lookup("ebs", volume_type, region, "GB-month", f"ebs:{volume_type}")

    def snapshot_gb_month(self, region: str) -> Price | None:
        return self._lookup("snapshot", "", region, "GB-month", "snapshot")

    def idle_ip_hour(self, region: str) -> Price | None:
        return self._lookup("idle_ip", "", region, "hour", "idle_ip")

    def _lookup(self, kind: str, detail: str, region: str, unit: str, list_key: str) -> Price | None:
        key = (kind, detail, region)
        if key not in self._cache:
            self._cache[key] = self._from_bill(kind, detail, region, unit) or _list(list_key, unit)
        return self._cache[key]

    def _from_bill(self, kind: str, detail: str, region: str, unit: str) -> Price | None:
        if self.store is None:
            return None
        usage, description = (p.replace("{x}", detail) for p in _PATTERNS[kind])
        for scope, params, source in (
            ("AND (lower(c.RegionId) = ? OR lower(c.RegionName) = ?)", [region.lower()] * 2, "bill"),
            ("", [], "bill (other regions)"),
        ):
            rows = self.store.fetch(
                "SELECT sum(c.EffectiveCost), sum(c.ConsumedQuantity), max(c.BillingCurrency) FROM charges c "
                "WHERE c.ProviderName = 'AWS' AND c.ConsumedQuantity > 0 AND c.EffectiveCost > 0 "
                f"AND (c.UsageType LIKE ? OR c.ChargeDescription ILIKE ?) {scope}",
                [usage, description, *params],
            )
            cost, quantity, currency = rows[0]
            if cost and quantity:
                price = (Decimal(cost) / Decimal(str(quantity))).quantize(Decimal("0.000001"))
                return Price(price, unit, source, currency or "USD")
        return None


def _list(key: str, unit: str) -> Price | None:
    price = _LIST_PRICES.get(key)
    return Price(price, unit, "list price") if price is not None else None
