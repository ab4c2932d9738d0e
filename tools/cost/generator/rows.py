"""The generated FOCUS rows: SQL over the daily usage (DuckDB expands it), or written to a file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np

from tools.cost.generator.catalogue import BILLING_ACCOUNT_ID, BILLING_ACCOUNT_NAME, KINDS, REGIONS
from tools.cost.generator.spec import GeneratorSpec
from tools.cost.generator.usage import Generated, plan


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
