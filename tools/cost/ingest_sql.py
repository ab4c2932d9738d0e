"""The SQL that reads an export's raw rows and converts them into the store's columns.

Conversions use strict casts, so a value that is present but does not parse raises inside the
load instead of turning into a NULL; `ingest_errors` then finds and names it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from tools.cost.cur import cur_expressions
from tools.cost.errors import ExportError
from tools.cost.exports import SourceFile
from tools.cost.schema import DATA_COLUMNS, REQUIRED_COLUMNS, column_type


@dataclass(frozen=True)
class ReadGroup:
    """Files read by one scan: `reader` is the SQL of their rows, with the file in `__file`."""

    reader: str
    files: list[SourceFile]
    kind: str


def describe(con: duckdb.DuckDBPyConnection, group: ReadGroup) -> dict[str, str]:
    """Column name -> type of the group's rows (and defines the temp view `raw_rows` on `con`)."""
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW raw_rows AS SELECT * FROM {group.reader}")
        return {r[0]: r[1] for r in con.execute("DESCRIBE raw_rows").fetchall()}
    except duckdb.Error as exc:
        raise ExportError(f"Could not read {group_names(group)}: {short_error(exc)}") from exc


def reader_sql(files: list[SourceFile], parquet: bool) -> str:
    paths = "[" + ", ".join(literal(str(f.path)) for f in files) + "]"
    if parquet:
        return f"read_parquet({paths}, union_by_name = true, filename = '__file')"
    return (
        f"read_csv({paths}, header = true, all_varchar = true, nullstr = ['NULL', ''], "
        "union_by_name = true, filename = '__file')"
    )


def store_expressions(kind: str, types: dict[str, str]) -> dict[str, str]:
    """SQL for each store column over the raw rows, converting with strict casts."""

    def raw(name: str) -> str:
        if name not in types:
            return "NULL"
        quoted = f'"{name}"'
        return f"trim({quoted})" if types[name] == "VARCHAR" else quoted

    sources: dict[str, str | None] = {}
    if kind == "focus":
        exprs = {c: raw(c) for c in DATA_COLUMNS}
        sources = {c: types.get(c) for c in DATA_COLUMNS}
        if "UsageType" not in types:
            exprs["UsageType"] = raw("x_UsageType")
            sources["UsageType"] = types.get("x_UsageType")
    else:
        exprs = cur_expressions(raw, set(types), lambda col, key: _map_value(col, key, types))
    out = {c: _cast(exprs[c], column_type(c), sources.get(c)) for c in DATA_COLUMNS}
    # A charge without an amount or a start cannot be placed; say so instead of storing a NULL.
    for column in REQUIRED_COLUMNS:
        out[column] = f"CASE WHEN {out[column]} IS NULL THEN error('missing {column}') ELSE {out[column]} END"
    out["BillingPeriodStart"] = (
        f"coalesce({out['BillingPeriodStart']}, date_trunc('month', {out['ChargePeriodStart']}))"
    )
    return out


def tag_text(column: str, types: dict[str, str]) -> str:
    """The tag set as JSON text (MAP columns are rendered as JSON so both kinds hash alike)."""
    if column not in types:
        return "NULL"
    quoted = f'"{column}"'
    kind = types[column]
    if kind.startswith("MAP") or kind.startswith("STRUCT"):
        empty = f"{quoted} IS NULL OR cardinality({quoted}) = 0"
        return f"CASE WHEN {empty} THEN NULL ELSE to_json({quoted})::VARCHAR END"
    return f"CASE WHEN trim({quoted}) IN ('', '{{}}') THEN NULL ELSE {quoted}::VARCHAR END"


def _cast(expr: str, target: str, source: str | None) -> str:
    """`expr` as `target`; a bad value raises. `source` is expr's type when expr is a bare column:
    Parquet columns that already have the store's type are taken as they are."""
    if expr == "NULL":
        return f"NULL::{target}"
    if source == target:
        return expr
    if target == "TIMESTAMP":
        if source == "TIMESTAMP WITH TIME ZONE":
            return f"({expr})::TIMESTAMP"
        return f"CAST({expr} AS TIMESTAMPTZ)::TIMESTAMP"
    if target == "VARCHAR":
        return f"({expr})::VARCHAR"
    return f"CAST({expr} AS {target})"


def _map_value(column: str, key: str, types: dict[str, str]) -> str:
    quoted = f'"{column}"'
    if types.get(column, "").startswith("MAP"):
        return f"map_extract_value({quoted}, '{key}')"
    return f"CASE WHEN json_valid({quoted}) THEN json_extract_string({quoted}, '$.\"{key}\"') END"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def group_names(group: ReadGroup) -> str:
    return ", ".join(f.label for f in group.files) or "the generated data"


def short_error(exc: BaseException) -> str:
    """DuckDB's first lines (they name the line and column); the sniffer dump after them is noise."""
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return " ".join(lines[:4])
