"""Load FOCUS billing exports into an in-process DuckDB database.

Everything is read as text first and then cast column by column, so a malformed value is
reported with its column instead of silently becoming NULL, and exports with extra or
missing optional columns (other FOCUS versions, several files) load the same way.
Money stays DECIMAL end to end; floats never touch a cost.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from tools.base import UserFacingError

if TYPE_CHECKING:
    from config import Settings
    from tools.base import ToolContext

BUNDLED_SAMPLE = Path(__file__).parent / "data" / "focus_sample.csv"

# 38 digits, 12 after the point: the sample carries 11 decimals and real exports up to 10-12.
MONEY = "DECIMAL(38,12)"
MONEY_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost")
TIME_COLUMNS = ("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd")
TEXT_COLUMNS = (
    "BillingCurrency",
    "ProviderName",
    "ServiceName",
    "ServiceCategory",
    "RegionId",
    "RegionName",
    "SubAccountId",
    "SubAccountName",
    "BillingAccountId",
    "BillingAccountName",
    "ResourceId",
    "ResourceName",
    "ChargeCategory",
)
REQUIRED_COLUMNS = ("BilledCost", "BillingCurrency", "ChargePeriodStart", "ServiceName")

# Where a context keeps its loaded store (ctx.extras), so callers can also hand one in.
STORE_EXTRAS_KEY = "tools.cost.store"
_CSV_SUFFIXES = (".csv", ".csv.gz")


@dataclass(frozen=True)
class Coverage:
    """First and last day that charges start on, over all loaded data."""

    first_day: date
    last_day: date


class CostStore:
    """Loaded billing data. Tables: `charges` (one row per charge) and `charge_tags`
    (row_id, key_norm = trimmed lower-case key, key, value)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, sources: Sequence[Path]) -> None:
        self._con = connection
        # One DuckDB connection must not run two statements at once from different threads.
        self._lock = threading.Lock()
        self.sources = tuple(sources)

    @classmethod
    def from_settings(cls, settings: Settings) -> CostStore:
        """settings.focus_paths (files or folders of CSV exports), else the bundled sample."""
        return cls.from_paths(settings.focus_paths or [BUNDLED_SAMPLE])

    @classmethod
    def from_paths(cls, paths: Sequence[Path]) -> CostStore:
        files = _csv_files(paths)
        con = duckdb.connect(":memory:")
        # Timestamps with an offset are converted to UTC; those without one are taken as UTC.
        con.execute("SET TimeZone = 'UTC'")
        try:
            _load(con, files)
        except duckdb.Error as exc:
            con.close()
            names = ", ".join(str(f) for f in files)
            raise UserFacingError(f"Could not read the FOCUS cost data ({names}): {exc}") from exc
        except UserFacingError:
            con.close()
            raise
        return cls(con, files)

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._con.execute(sql, list(params)).fetchall()

    def row_count(self) -> int:
        return int(self.fetch("SELECT count(*) FROM charges")[0][0])

    def coverage(self) -> Coverage | None:
        first, last = self.fetch("SELECT min(ChargePeriodStart), max(ChargePeriodStart) FROM charges")[0]
        if first is None:
            return None
        return Coverage(first.date(), last.date())

    def distinct(self, column: str) -> list[str]:
        if column not in TEXT_COLUMNS:
            raise ValueError(f"not a text column: {column}")
        rows = self.fetch(f"SELECT DISTINCT {column} FROM charges WHERE {column} IS NOT NULL ORDER BY 1")
        return [r[0] for r in rows]

    def region_keys(self) -> list[str]:
        """Region ids, or names where a provider gives no id (as region breakdowns show them)."""
        return self._keys("coalesce(RegionId, RegionName)")

    def account_keys(self) -> list[str]:
        return self._keys("coalesce(SubAccountName, SubAccountId, BillingAccountName, BillingAccountId)")

    def _keys(self, expr: str) -> list[str]:
        rows = self.fetch(f"SELECT DISTINCT {expr} AS k FROM charges WHERE k IS NOT NULL ORDER BY 1")
        return [r[0] for r in rows]

    def tag_keys(self) -> list[str]:
        """Tag keys as matched: trimmed and lower-case."""
        return [r[0] for r in self.fetch("SELECT DISTINCT key_norm FROM charge_tags ORDER BY 1")]

    def close(self) -> None:
        with self._lock:
            self._con.close()


def cost_store(ctx: ToolContext) -> CostStore:
    """The context's store, loaded on first use and kept for the context's lifetime."""
    cached = ctx.extras.get(STORE_EXTRAS_KEY)
    if isinstance(cached, CostStore):
        return cached
    loaded = CostStore.from_settings(ctx.settings)
    current = ctx.extras.setdefault(STORE_EXTRAS_KEY, loaded)
    if current is not loaded:
        loaded.close()
    return current


def _csv_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(_CSV_SUFFIXES)
            )
            if not found:
                raise UserFacingError(f"No FOCUS CSV files (*.csv, *.csv.gz) in folder {path}.")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise UserFacingError(f"FOCUS cost data not found: {path}. Check the focus_paths setting.")
    return files


def _load(con: duckdb.DuckDBPyConnection, files: Sequence[Path]) -> None:
    con.execute(
        "CREATE TEMP TABLE raw AS SELECT row_number() OVER () AS __row_id, * FROM read_csv(?, "
        "header = true, all_varchar = true, nullstr = ['NULL', ''], union_by_name = true, "
        "filename = '__source_file')",
        [[str(f) for f in files]],
    )
    present = {r[0] for r in con.execute("DESCRIBE raw").fetchall()}
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise UserFacingError(
            f"The cost data is not in FOCUS format: missing column(s) {', '.join(missing)}."
        )

    def col(name: str) -> str:
        return f'"{name}"' if name in present else "NULL"

    selects = ["__row_id AS row_id", "__source_file AS source_file"]
    selects += [f"{_money(col(c))} AS {c}" for c in MONEY_COLUMNS]
    selects += [f"{_timestamp(col(c))} AS {c}" for c in TIME_COLUMNS]
    selects += [f"{col(c)}::VARCHAR AS {c}" for c in TEXT_COLUMNS]
    # Tags are descriptive: a malformed tag object leaves the charge untagged rather than
    # rejecting the whole export.
    selects.append(f"TRY_CAST(TRY_CAST({col('Tags')} AS JSON) AS MAP(VARCHAR, VARCHAR)) AS Tags")
    con.execute(f"CREATE TABLE charges AS SELECT {', '.join(selects)} FROM raw")
    _check_casts(con, present)
    con.execute(
        "CREATE TABLE charge_tags AS SELECT row_id, lower(trim(e.key)) AS key_norm, e.key AS key, "
        "e.value AS value FROM (SELECT row_id, unnest(map_entries(Tags)) AS e FROM charges "
        "WHERE Tags IS NOT NULL)"
    )
    con.execute("DROP TABLE raw")


def _money(expr: str) -> str:
    return f"TRY_CAST(trim({expr}) AS {MONEY})"


def _timestamp(expr: str) -> str:
    return f"TRY_CAST(trim({expr}) AS TIMESTAMPTZ)::TIMESTAMP"


def _check_casts(con: duckdb.DuckDBPyConnection, present: set[str]) -> None:
    """A value that is there but does not parse is an error in the export, not a zero."""
    for column in (*MONEY_COLUMNS, *TIME_COLUMNS):
        if column not in present:
            continue
        cast = _money if column in MONEY_COLUMNS else _timestamp
        quoted = f'"{column}"'
        bad = con.execute(
            f"SELECT {quoted}, __source_file FROM raw "
            f"WHERE {quoted} IS NOT NULL AND {cast(quoted)} IS NULL LIMIT 1"
        ).fetchall()
        if bad:
            value, source = bad[0]
            kind = "an amount" if column in MONEY_COLUMNS else "a timestamp"
            raise UserFacingError(f"Bad {column} value '{value}' in {source}: not {kind}.")
