"""Explaining a failed load: which value in which file, line and column did not convert.

A load converts with strict casts and aborts on the first bad value without saying where it
was. Only once the transaction is rolled back is the export searched for it, so a good export
never pays for a second pass over its data.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import duckdb

from tools.base import UserFacingError
from tools.cost.exports import PARQUET_SUFFIXES
from tools.cost.ingest_sql import ReadGroup, describe, group_names, short_error
from tools.cost.schema import MONEY_COLUMNS, REQUIRED_COLUMNS, STRICT_COLUMNS, TIME_COLUMNS, column_type

# CUR 2.0 source columns that must parse, by the type they must parse as.
_CUR_STRICT: dict[str, str] = {
    "line_item_unblended_cost": "money",
    "line_item_net_unblended_cost": "money",
    "savings_plan_savings_plan_effective_cost": "money",
    "reservation_effective_cost": "money",
    "pricing_public_on_demand_cost": "money",
    "line_item_usage_start_date": "time",
    "line_item_usage_end_date": "time",
    "bill_billing_period_start_date": "time",
    "bill_billing_period_end_date": "time",
    "line_item_usage_amount": "number",
    "pricing_public_on_demand_rate": "number",
}
_KIND_TYPES = {"money": column_type("BilledCost"), "time": "TIMESTAMPTZ", "number": "DOUBLE"}
_KIND_WORDS = {"money": "an amount", "time": "a timestamp", "number": "a number"}


class LoadFailed(Exception):
    """A value did not convert while loading. The transaction is aborted; once it is rolled
    back, `explain()` finds the value again and names its file, line and column."""

    def __init__(self, con: duckdb.DuckDBPyConnection, group: ReadGroup, cause: duckdb.Error) -> None:
        super().__init__(str(cause))
        self.con = con
        self.group = group
        self.cause = cause

    def explain(self) -> UserFacingError:
        return explain(self.con, self.group, self.cause)


def explain(con: duckdb.DuckDBPyConnection, group: ReadGroup, cause: duckdb.Error) -> UserFacingError:
    """The first missing or unconvertible value in the group, by file, line and column."""
    types = describe(con, group)
    for column in _required(group.kind):
        if column not in types:
            continue
        hit = con.execute(f'SELECT __file FROM raw_rows WHERE "{column}" IS NULL LIMIT 1').fetchall()
        if hit:
            where = _where(con, group, hit[0][0], column, None)
            return UserFacingError(f"Missing {column} in {where}: every charge needs one.")
    for column, what in _strict(group.kind).items():
        if column not in types:
            continue
        quoted = f'"{column}"'
        raw_expr = f"trim({quoted})" if types[column] == "VARCHAR" else quoted
        rows = con.execute(
            f"SELECT __file, {quoted}::VARCHAR FROM raw_rows WHERE "
            f"{_bad_check(raw_expr, _KIND_TYPES[what])} LIMIT 1"
        ).fetchall()
        if rows:
            source, value = rows[0]
            where = _where(con, group, source, column, value)
            return UserFacingError(
                f"Bad {column} value '{value}' in {where}, column {column}: not {_KIND_WORDS[what]}."
            )
    return UserFacingError(f"Could not read {group_names(group)}: {short_error(cause)}")


def _where(
    con: duckdb.DuckDBPyConnection, group: ReadGroup, source: str, column: str, value: str | None
) -> str:
    label = next((f.label for f in group.files if str(f.path) == source), source)
    return label + _line(con, source, column, value)


def _line(con: duckdb.DuckDBPyConnection, source: str, column: str, value: str | None) -> str:
    """', line N' (CSV: the physical line; Parquet: ', row N'), or '' when it cannot be found."""
    path = Path(source)
    if not path.is_file():
        return ""
    if path.name.lower().endswith(PARQUET_SUFFIXES):
        cond = f'"{column}" IS NULL' if value is None else f'"{column}"::VARCHAR = ?'
        params: list[object] = [str(path)]
        if value is not None:
            params.append(value)
        rows = con.execute(
            f"SELECT file_row_number FROM read_parquet(?, file_row_number = true) WHERE {cond} "
            "ORDER BY file_row_number LIMIT 1",
            params,
        ).fetchall()
        return f", row {rows[0][0] + 1}" if rows else ""
    for line, row in _csv_rows(path):
        raw = row.get(column)
        cell = None if raw is None or raw.strip() in ("", "NULL") else raw.strip()
        if cell == value:
            return f", line {line}"
    return ""


def _required(kind: str) -> tuple[str, ...]:
    """The export's columns that become REQUIRED_COLUMNS."""
    if kind == "focus":
        return REQUIRED_COLUMNS
    return ("line_item_unblended_cost", "line_item_usage_start_date")


def _strict(kind: str) -> dict[str, str]:
    if kind == "focus":
        return {c: _focus_kind(c) for c in STRICT_COLUMNS}
    return dict(_CUR_STRICT)


def _focus_kind(column: str) -> str:
    if column in MONEY_COLUMNS:
        return "money"
    if column in TIME_COLUMNS:
        return "time"
    return "number"


def _bad_check(raw_expr: str, target: str) -> str:
    return f"({raw_expr} IS NOT NULL AND TRY_CAST({raw_expr} AS {target}) IS NULL)"


def _open_text(path: Path) -> TextIO:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", newline="", encoding="utf-8")
    return path.open(newline="", encoding="utf-8")


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with _open_text(path) as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            yield reader.line_num, row
