"""Realistic generated FOCUS data for the demo and the benchmarks: seeded and reproducible.

A company ("Acme", its own billing account, so it never mixes with the bundled sample's
accounts) runs resources of many kinds across accounts, regions and teams. Each resource's
daily usage follows a slow growth trend, a weekly pattern (busy weekdays, quiet weekends for
request-driven services, flat storage) and noise. A few anomalies are planted on top — a
forgotten GPU fleet, a NAT data spike, a runaway Lambda — and recorded, so detectors can be
scored on recall and false positives.

All randomness comes from numpy's PCG64 with the spec's seed: the same spec gives the same
rows. DuckDB expands the per-day table into rows (several per day when `rows_per_day` > 1).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np

GENERATOR_VERSION = 1
BILLING_ACCOUNT_ID = "900000000000"
BILLING_ACCOUNT_NAME = "Acme Corp"

REGIONS = {
    "us-east-1": "US East (N. Virginia)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-central-1": "EU (Frankfurt)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
}
_REGION_WEIGHTS = (0.45, 0.15, 0.2, 0.1, 0.1)
ACCOUNTS = (
    ("900000000101", "acme-prod-web", "prod", "web"),
    ("900000000102", "acme-prod-data", "prod", "data"),
    ("900000000103", "acme-staging", "staging", "web"),
    ("900000000104", "acme-dev", "dev", "platform"),
    ("900000000105", "acme-ml", "prod", "ml"),
    ("900000000106", "acme-shared-services", "prod", "platform"),
    ("900000000107", "acme-security", "prod", "security"),
    ("900000000108", "acme-sandbox", "dev", "platform"),
)
APPLICATIONS = ("storefront", "checkout", "search", "catalog", "analytics", "billing", "auth", "reporting")

EC2 = "Amazon Elastic Compute Cloud"
VPC = "Amazon Virtual Private Cloud"


@dataclass(frozen=True)
class Kind:
    """A kind of billed resource: what its rows look like and how its usage behaves."""

    key: str
    service: str
    category: str
    usage_type: str
    description: str
    unit: str
    unit_price: float
    # Usage per day: a resource draws its base from [low, high].
    low: float
    high: float
    weekend: float = 1.0
    noise: float = 0.04
    resource_type: str | None = None
    id_prefix: str = "r-"
    weight: float = 1.0
    # Fraction of list price actually paid (commitments, discounts).
    effective: float = 1.0


def _instance(size: str, price: float, weight: float, weekend: float = 0.85) -> Kind:
    return Kind(
        f"ec2-{size}",
        EC2,
        "Compute",
        f"BoxUsage:{size}",
        f"${price} per On Demand Linux {size} Instance Hour",
        "Hours",
        price,
        24,
        24 * 6,
        weekend=weekend,
        noise=0.05,
        resource_type="instance",
        id_prefix="i-",
        weight=weight,
        effective=0.72,
    )


def _volume(vtype: str, name: str, price: float, weight: float) -> Kind:
    return Kind(
        f"ebs-{vtype}",
        EC2,
        "Storage",
        f"EBS:VolumeUsage.{vtype}",
        f"${price} per GB-month of {name} provisioned storage",
        "GB-Mo",
        price,
        50 / 30,
        2000 / 30,
        noise=0.005,
        resource_type="volume",
        id_prefix="vol-",
        weight=weight,
    )


KINDS: tuple[Kind, ...] = (
    _instance("t3.medium", 0.0416, 3.0),
    _instance("t3.large", 0.0832, 2.0),
    _instance("m5.large", 0.096, 2.5),
    _instance("m5.xlarge", 0.192, 1.5),
    _instance("c5.2xlarge", 0.34, 1.0, weekend=0.7),
    _instance("r5.large", 0.126, 1.0, weekend=1.0),
    _volume("gp3", "General Purpose (gp3)", 0.08, 3.0),
    _volume("gp2", "General Purpose SSD (gp2)", 0.10, 1.5),
    _volume("st1", "Throughput Optimized HDD (st1)", 0.045, 0.4),
    Kind(
        "ebs-snapshot",
        EC2,
        "Storage",
        "EBS:SnapshotUsage",
        "$0.05 per GB-Month of snapshot data stored",
        "GB-Mo",
        0.05,
        20 / 30,
        800 / 30,
        noise=0.01,
        id_prefix="snap-",
        weight=1.2,
    ),
    Kind(
        "nat-hours",
        EC2,
        "Networking",
        "NatGateway-Hours",
        "$0.045 per NAT Gateway Hour",
        "Hours",
        0.045,
        24,
        24,
        noise=0.0,
        id_prefix="nat-",
        weight=0.6,
    ),
    Kind(
        "nat-bytes",
        EC2,
        "Networking",
        "NatGateway-Bytes",
        "$0.045 per GB Data Processed by NAT Gateways",
        "GB",
        0.045,
        20,
        400,
        weekend=0.6,
        noise=0.15,
        id_prefix="nat-",
        weight=0.6,
    ),
    Kind(
        "ec2-transfer",
        EC2,
        "Networking",
        "DataTransfer-Out-Bytes",
        "$0.09 per GB - first 10 TB / month data transfer out",
        "GB",
        0.09,
        5,
        150,
        weekend=0.7,
        noise=0.12,
        id_prefix="i-",
        weight=1.0,
    ),
    Kind(
        "public-ipv4",
        VPC,
        "Networking",
        "PublicIPv4:InUseAddress",
        "$0.005 per In-use public IPv4 address per hour",
        "Hours",
        0.005,
        24,
        24 * 4,
        noise=0.0,
        id_prefix="eipalloc-",
        weight=0.8,
    ),
    Kind(
        "idle-ipv4",
        VPC,
        "Networking",
        "PublicIPv4:IdleAddress",
        "$0.005 per Idle public IPv4 address per hour",
        "Hours",
        0.005,
        24,
        24,
        noise=0.0,
        id_prefix="eipalloc-",
        weight=0.3,
    ),
    Kind(
        "s3-storage",
        "Amazon Simple Storage Service",
        "Storage",
        "TimedStorage-ByteHrs",
        "$0.023 per GB - first 50 TB / month of storage used",
        "GB-Mo",
        0.023,
        500 / 30,
        40000 / 30,
        noise=0.003,
        id_prefix="bucket-",
        weight=1.5,
    ),
    Kind(
        "s3-requests",
        "Amazon Simple Storage Service",
        "Storage",
        "Requests-Tier1",
        "$0.005 per 1,000 PUT, COPY, POST, or LIST requests",
        "1K Requests",
        0.005,
        50,
        5000,
        weekend=0.5,
        noise=0.2,
        id_prefix="bucket-",
        weight=0.8,
    ),
    Kind(
        "rds-instance",
        "Amazon Relational Database Service",
        "Databases",
        "InstanceUsage:db.m5.large",
        "$0.171 per RDS db.m5.large instance hour (or partial hour) running MySQL",
        "Hours",
        0.171,
        24,
        48,
        noise=0.0,
        resource_type="db",
        id_prefix="db-",
        weight=1.2,
        effective=0.8,
    ),
    Kind(
        "rds-storage",
        "Amazon Relational Database Service",
        "Databases",
        "RDS:GP2-Storage",
        "$0.115 per GB-month of provisioned GP2 storage running MySQL",
        "GB-Mo",
        0.115,
        100 / 30,
        1000 / 30,
        noise=0.003,
        id_prefix="db-",
        weight=1.0,
    ),
    Kind(
        "lambda-compute",
        "AWS Lambda",
        "Compute",
        "Lambda-GB-Second",
        "AWS Lambda - Total Compute - US East (Northern Virginia)",
        "Lambda-GB-Second",
        0.0000166667,
        100000,
        5000000,
        weekend=0.45,
        noise=0.12,
        id_prefix="fn-",
        weight=1.0,
    ),
    Kind(
        "lambda-requests",
        "AWS Lambda",
        "Compute",
        "Request",
        "AWS Lambda - Total Requests",
        "Requests",
        0.0000002,
        200000,
        20000000,
        weekend=0.45,
        noise=0.12,
        id_prefix="fn-",
        weight=0.6,
    ),
    Kind(
        "elb-hours",
        "Elastic Load Balancing",
        "Networking",
        "LoadBalancerUsage",
        "$0.0225 per Application LoadBalancer-hour (or partial hour)",
        "Hours",
        0.0225,
        24,
        24,
        noise=0.0,
        id_prefix="app/",
        weight=0.8,
    ),
    Kind(
        "elb-lcu",
        "Elastic Load Balancing",
        "Networking",
        "LCUUsage",
        "$0.008 per used Application load balancer capacity unit-hour (or partial hour)",
        "LCU-Hrs",
        0.008,
        24,
        600,
        weekend=0.65,
        noise=0.1,
        id_prefix="app/",
        weight=0.8,
    ),
    Kind(
        "cloudwatch-metrics",
        "AmazonCloudWatch",
        "Management and Governance",
        "CW:MetricMonitorUsage",
        "$0.30 per metric-month - first 10,000 metrics",
        "Metrics",
        0.30,
        50 / 30,
        3000 / 30,
        noise=0.01,
        id_prefix="cw-",
        weight=0.8,
    ),
    Kind(
        "cloudwatch-logs",
        "AmazonCloudWatch",
        "Management and Governance",
        "DataProcessing-Bytes",
        "$0.50 per GB custom log data ingested",
        "GB",
        0.50,
        1,
        60,
        weekend=0.7,
        noise=0.1,
        id_prefix="log-",
        weight=0.8,
    ),
    Kind(
        "dynamodb",
        "Amazon DynamoDB",
        "Databases",
        "ReadRequestUnits",
        "$0.25 per million read request units",
        "ReadRequestUnits",
        0.00000025,
        1e6,
        2e8,
        weekend=0.6,
        noise=0.12,
        id_prefix="table/",
        weight=0.6,
    ),
    Kind(
        "cloudfront",
        "Amazon CloudFront",
        "Networking",
        "DataTransfer-Out-Bytes",
        "$0.085 per GB - first 10 TB / month data transfer out beyond the global free tier",
        "GB",
        0.085,
        20,
        2000,
        weekend=0.8,
        noise=0.1,
        id_prefix="E",
        weight=0.5,
    ),
)
_KIND_INDEX = {k.key: i for i, k in enumerate(KINDS)}


@dataclass(frozen=True)
class PlantedAnomaly:
    """A planted jump: `service` in `account` costs about `extra` more per day on these days."""

    start: date
    days: int
    service: str
    account_id: str
    account_name: str
    region: str
    usage_type: str
    resource_id: str
    extra_per_day: float
    note: str

    @property
    def end(self) -> date:
        """Last day included."""
        return self.start + timedelta(days=self.days - 1)


@dataclass(frozen=True)
class GeneratorSpec:
    seed: int = 7
    start: date = date(2024, 4, 1)
    # Exclusive.
    end: date = date(2024, 10, 15)
    resources_per_account: int = 24
    accounts: int = len(ACCOUNTS)
    # 1: one row per resource and day; 24: hourly rows.
    rows_per_day: int = 1
    anomalies: int = 5
    # Anomalies land in the last `anomaly_window_days` of the range; one in the last week.
    anomaly_window_days: int = 100
    monthly_growth: float = 0.02
    extra: dict[str, str] = field(default_factory=dict)

    def fingerprint(self) -> str:
        text = json.dumps({**asdict(self), "version": GENERATOR_VERSION}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def days(self) -> int:
        return (self.end - self.start).days


# The demo's history: April to the demo's pinned "now" (2024-10-15), a few thousand rows a month.
DEMO_SPEC = GeneratorSpec()


@dataclass
class Generated:
    """Per-day usage (resources x days) and what was planted."""

    spec: GeneratorSpec
    resources: list[dict[str, object]]
    quantity: np.ndarray  # shape (resources, days), usage per day (0 = not running)
    anomalies: list[PlantedAnomaly]


def plan(spec: GeneratorSpec) -> Generated:
    """Draw the resources, their daily usage and the planted anomalies."""
    rng = np.random.Generator(np.random.PCG64(spec.seed))
    days = spec.days
    if days < 14:
        raise ValueError("generate at least 14 days so that weekly patterns exist")
    day_index = np.arange(days)
    weekday = np.array([(spec.start + timedelta(days=int(d))).weekday() for d in day_index])
    weights = np.array([k.weight for k in KINDS])
    weights = weights / weights.sum()
    resources: list[dict[str, object]] = []
    rows: list[np.ndarray] = []
    accounts = ACCOUNTS[: max(1, min(spec.accounts, len(ACCOUNTS)))]
    for a_idx, (acct_id, acct_name, env, team) in enumerate(accounts):
        scale = 0.3 if env == "dev" else 0.6 if env == "staging" else 1.0
        home = list(REGIONS)[a_idx % 3 if a_idx % 4 else 0]
        for r in range(spec.resources_per_account):
            kind_idx = int(rng.choice(len(KINDS), p=weights))
            kind = KINDS[kind_idx]
            region = home if rng.random() < 0.6 else str(rng.choice(list(REGIONS), p=_REGION_WEIGHTS))
            base = float(rng.uniform(kind.low, kind.high)) * scale
            series = _series(rng, kind, base, weekday, day_index, spec.monthly_growth)
            resources.append(_resource(kind_idx, acct_id, acct_name, env, team, region, a_idx, r, rng))
            rows.append(series)
    quantity = np.vstack(rows) if rows else np.zeros((0, days))
    generated = Generated(spec, resources, quantity, [])
    _plant(rng, generated, weekday)
    return generated


def _series(
    rng: np.random.Generator,
    kind: Kind,
    base: float,
    weekday: np.ndarray,
    day_index: np.ndarray,
    growth: float,
) -> np.ndarray:
    trend = (1 + growth * float(rng.uniform(0.3, 1.7))) ** (day_index / 30.0)
    weekly = np.where(weekday >= 5, kind.weekend, 1.0)
    noise = np.exp(rng.normal(0.0, kind.noise, size=len(day_index))) if kind.noise else 1.0
    series = base * trend * weekly * noise
    if kind.low == kind.high:
        # Always-on hourly resources bill whole hours.
        series = np.full(len(day_index), kind.low)
    return np.asarray(series, dtype=float)


def _resource(
    kind_idx: int,
    acct_id: str,
    acct_name: str,
    env: str,
    team: str,
    region: str,
    a_idx: int,
    r: int,
    rng: np.random.Generator,
) -> dict[str, object]:
    kind = KINDS[kind_idx]
    suffix = f"{a_idx:02x}{r:04x}{int(rng.integers(0, 16**9)):09x}"
    app = str(rng.choice(APPLICATIONS))
    return {
        "kind": kind_idx,
        "account_id": acct_id,
        "account_name": acct_name,
        "region": region,
        "resource_id": f"{kind.id_prefix}0{suffix}",
        "resource_name": f"{app}-{kind.key}-{r}",
        "tags": json.dumps(
            {"environment": env, "team": team, "application": app, "cost-center": f"cc-{team}"}
        ),
    }


_ANOMALY_KINDS = (
    ("ec2-c5.2xlarge", "compute fleet left running after a load test", "new"),
    ("nat-bytes", "NAT gateway data processing spike", "boost"),
    ("lambda-compute", "runaway Lambda retry loop", "boost"),
    ("s3-requests", "S3 request storm from a misconfigured client", "boost"),
    ("cloudwatch-logs", "debug logging left on", "boost"),
    ("dynamodb", "table scan in a hot loop", "boost"),
)


def _plant(rng: np.random.Generator, g: Generated, weekday: np.ndarray) -> None:
    spec = g.spec
    days = spec.days
    if spec.anomalies <= 0 or not g.resources:
        return
    window = min(spec.anomaly_window_days, days - 35)
    if window < 7:
        return
    # Days spread over the window so events never overlap; the last one lands in the final week.
    slots = np.linspace(days - window, days - 4, num=spec.anomalies).astype(int)
    service_daily = _service_daily(g)
    for n, slot in enumerate(slots):
        kind_key, note, mode = _ANOMALY_KINDS[n % len(_ANOMALY_KINDS)]
        kind = KINDS[_KIND_INDEX[kind_key]]
        length = int(rng.integers(1, 4)) if mode == "new" else int(rng.integers(1, 3))
        start = int(min(slot, days - length))
        baseline = float(
            np.median(service_daily.get(kind.service, np.zeros(days))[max(0, start - 28) : start])
        )
        if baseline <= 0:
            baseline = 50.0
        # Big enough to matter against the whole service, not just the one resource.
        extra = baseline * float(rng.uniform(0.6, 1.6))
        candidates = [i for i, r in enumerate(g.resources) if r["kind"] == _KIND_INDEX[kind_key]]
        if mode == "new" or not candidates:
            acct = ACCOUNTS[int(rng.integers(0, min(spec.accounts, len(ACCOUNTS))))]
            resource = _resource(
                _KIND_INDEX[kind_key],
                acct[0],
                acct[1],
                acct[2],
                acct[3],
                "us-east-1",
                99,
                len(g.resources),
                rng,
            )
            g.resources.append(resource)
            row = np.zeros(days)
            g.quantity = np.vstack([g.quantity, row])
            idx = len(g.resources) - 1
        else:
            idx = int(rng.choice(candidates))
        g.quantity[idx, start : start + length] += extra / kind.unit_price
        res = g.resources[idx]
        g.anomalies.append(
            PlantedAnomaly(
                start=spec.start + timedelta(days=start),
                days=length,
                service=kind.service,
                account_id=str(res["account_id"]),
                account_name=str(res["account_name"]),
                region=str(res["region"]),
                usage_type=kind.usage_type,
                resource_id=str(res["resource_id"]),
                extra_per_day=round(extra, 2),
                note=note,
            )
        )


def _service_daily(g: Generated) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for res, series in zip(g.resources, g.quantity, strict=True):
        kind = KINDS[int(str(res["kind"]))]
        out[kind.service] = out.get(kind.service, np.zeros(g.spec.days)) + series * kind.unit_price
    return out


def generation_sql(
    con: duckdb.DuckDBPyConnection, spec: GeneratorSpec, generated: Generated | None = None
) -> str:
    """Register the generated tables on `con`; return a query yielding the FOCUS rows."""
    g = generated or plan(spec)
    n_res, n_days = g.quantity.shape
    res_idx = np.repeat(np.arange(n_res, dtype=np.int32), n_days)
    day_idx = np.tile(np.arange(n_days, dtype=np.int32), n_res)
    qty = g.quantity.reshape(-1)
    keep = qty > 0
    con.register("gen_usage", {"r": res_idx[keep], "d": day_idx[keep], "q": qty[keep]})
    cols = ("kind", "account_id", "account_name", "region", "resource_id", "resource_name", "tags")
    con.register(
        "gen_resources",
        {
            "r": np.arange(n_res, dtype=np.int32),
            **{c: np.array([str(x[c]) for x in g.resources]) for c in cols},
        },
    )
    kinds = {
        "kind": np.array([str(i) for i in range(len(KINDS))]),
        "service": np.array([k.service for k in KINDS]),
        "category": np.array([k.category for k in KINDS]),
        "usage_type": np.array([k.usage_type for k in KINDS]),
        "description": np.array([k.description for k in KINDS]),
        "unit": np.array([k.unit for k in KINDS]),
        "price": np.array([k.unit_price for k in KINDS]),
        "effective": np.array([k.effective for k in KINDS]),
        "resource_type": np.array([k.resource_type or "" for k in KINDS]),
    }
    con.register("gen_kinds", kinds)
    con.register(
        "gen_regions", {"region": np.array(list(REGIONS)), "region_name": np.array(list(REGIONS.values()))}
    )
    slots = spec.rows_per_day
    if slots < 1 or 24 % slots:
        raise ValueError("rows_per_day must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)")
    step = 24 // slots
    start = spec.start.isoformat()
    # Money is rounded to 10 decimals per row, as real exports carry it; sums stay exact.
    return f"""
    SELECT
      round((u.q / {slots}) * k.price, 10)::DECIMAL(38,12) AS BilledCost,
      round((u.q / {slots}) * k.price * k.effective, 10)::DECIMAL(38,12) AS EffectiveCost,
      round((u.q / {slots}) * k.price, 10)::DECIMAL(38,12) AS ListCost,
      'USD' AS BillingCurrency,
      TIMESTAMP '{start}' + to_days(u.d) + to_hours(s.slot * {step}) AS ChargePeriodStart,
      TIMESTAMP '{start}' + to_days(u.d) + to_hours(s.slot * {step} + {step}) AS ChargePeriodEnd,
      date_trunc('month', TIMESTAMP '{start}' + to_days(u.d)) AS BillingPeriodStart,
      date_trunc('month', TIMESTAMP '{start}' + to_days(u.d)) + INTERVAL 1 MONTH AS BillingPeriodEnd,
      round(u.q / {slots}, 9) AS ConsumedQuantity,
      k.price AS ListUnitPrice,
      'AWS' AS ProviderName,
      k.service AS ServiceName,
      k.category AS ServiceCategory,
      r.region AS RegionId,
      g.region_name AS RegionName,
      NULL AS AvailabilityZone,
      r.account_id AS SubAccountId,
      r.account_name AS SubAccountName,
      '{BILLING_ACCOUNT_ID}' AS BillingAccountId,
      '{BILLING_ACCOUNT_NAME}' AS BillingAccountName,
      r.resource_id AS ResourceId,
      r.resource_name AS ResourceName,
      nullif(k.resource_type, '') AS ResourceType,
      'Usage' AS ChargeCategory,
      k.description || ' - ' || g.region_name AS ChargeDescription,
      k.usage_type AS UsageType,
      k.unit AS PricingUnit,
      r.tags AS Tags
    FROM gen_usage u
    JOIN gen_resources r ON r.r = u.r
    JOIN gen_kinds k ON k.kind = r.kind
    JOIN gen_regions g ON g.region = r.region
    CROSS JOIN (SELECT unnest(range({slots})) AS slot) s
    ORDER BY u.d, s.slot, u.r
    """


def write(spec: GeneratorSpec, path: Path, *, fmt: str = "parquet") -> Generated:
    """Write the generated rows to `path` (parquet, csv or csv.gz) with FOCUS column names."""
    con = duckdb.connect(":memory:")
    try:
        g = plan(spec)
        sql = generation_sql(con, spec, g)
        path.parent.mkdir(parents=True, exist_ok=True)
        target = str(path).replace("'", "''")
        if fmt == "parquet":
            options = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880"
        elif fmt in ("csv", "csv.gz"):
            options = "FORMAT csv, HEADER true" + (", COMPRESSION gzip" if fmt == "csv.gz" else "")
        else:
            raise ValueError(f"unknown format {fmt}")
        con.execute(f"COPY ({sql}) TO '{target}' ({options})")
        return g
    finally:
        con.close()
