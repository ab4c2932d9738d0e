"""The store's tables: one normalised shape for every export kind (FOCUS, CUR 2.0).

`charges` holds one row per charge with FOCUS column names; money is DECIMAL end to end so
totals are exact to the cent. Tags are kept once per distinct tag set (`tag_values`), keyed by a
hash of the export's tag text: exports repeat the same few thousand tag sets millions of
times, so this keeps ingestion and storage cheap while tag filters and groupings stay joins on
a small table.
"""

from __future__ import annotations

# 38 digits, 12 after the point: the FOCUS sample carries 11 decimals and real exports up to 10-12.
MONEY = "DECIMAL(38,12)"
MONEY_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost")
TIME_COLUMNS = ("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd")
NUMBER_COLUMNS = ("ConsumedQuantity", "ListUnitPrice")
TEXT_COLUMNS = (
    "BillingCurrency",
    "ProviderName",
    "ServiceName",
    "ServiceCategory",
    "RegionId",
    "RegionName",
    "AvailabilityZone",
    "SubAccountId",
    "SubAccountName",
    "BillingAccountId",
    "BillingAccountName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ChargeCategory",
    "ChargeDescription",
    "UsageType",
    "PricingUnit",
)
# Columns whose values must parse when present: a bad one is an error in the export, not a NULL.
STRICT_COLUMNS = (*MONEY_COLUMNS, *TIME_COLUMNS, *NUMBER_COLUMNS)
# Every stored charge has these: a charge without an amount or a start cannot be placed.
REQUIRED_COLUMNS = ("BilledCost", "ChargePeriodStart")
# The FOCUS columns an export must have to be read as FOCUS.
FOCUS_REQUIRED = ("BilledCost", "BillingCurrency", "ChargePeriodStart", "ServiceName")


def column_type(name: str) -> str:
    if name in MONEY_COLUMNS:
        return MONEY
    if name in TIME_COLUMNS:
        return "TIMESTAMP"
    if name in NUMBER_COLUMNS:
        return "DOUBLE"
    return "VARCHAR"


DATA_COLUMNS = (*MONEY_COLUMNS, *TIME_COLUMNS, *NUMBER_COLUMNS, *TEXT_COLUMNS)


def create_statements(catalog: str) -> list[str]:
    """DDL for the store's tables in `catalog` (idempotent)."""
    cols = ", ".join(f"{c} {column_type(c)}" for c in DATA_COLUMNS)
    return [
        f"CREATE TABLE IF NOT EXISTS {catalog}.charges (batch_id INTEGER, source_file VARCHAR, {cols}, "
        "tag_set UBIGINT)",
        f"CREATE TABLE IF NOT EXISTS {catalog}.tag_values (tag_set UBIGINT, key_norm VARCHAR, "
        "key VARCHAR, value VARCHAR)",
        f"CREATE TABLE IF NOT EXISTS {catalog}.batches (batch_id INTEGER, origin VARCHAR, source VARCHAR, "
        "fingerprint VARCHAR, format VARCHAR, files INTEGER, row_count BIGINT, ingested_at TIMESTAMP)",
    ]
