"""Explaining a failed load: which value in which file, line and column did not convert.

A load converts with strict casts and aborts on the first bad value without saying where it
was. Only once the transaction is rolled back is the export searched for it, so a good export
never pays for a second pass over its data. A CSV file that is not well formed (a row with more
or fewer fields than the header, a quote never closed, bytes that are not UTF-8) is found the
same way, by reading it with Python's csv module, only after DuckDB refused it.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import TextIO

import duckdb

from tools.cost.cur import CUR_REQUIRED
from tools.cost.errors import ExportError
from tools.cost.exports import PARQUET_SUFFIXES, SourceFile
from tools.cost.ingest_sql import ReadGroup, describe, group_names, short_error
from tools.cost.schema import (
    FOCUS_REQUIRED,
    MONEY_COLUMNS,
    REQUIRED_COLUMNS,
    STRICT_COLUMNS,
    TIME_COLUMNS,
    column_type,
)

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

    def explain(self) -> ExportError:
        return explain(self.con, self.group, self.cause)


def explain(con: duckdb.DuckDBPyConnection, group: ReadGroup, cause: duckdb.Error) -> ExportError:
    """The first malformed line, or missing or unconvertible value, in the group, by file, line
    and column."""
    for f in group.files:
        problem = csv_problem(f)
        if problem:
            return ExportError(problem)
    try:
        found = _bad_value(con, group)
    except duckdb.Error as exc:  # the export cannot even be scanned again: say what DuckDB says
        return ExportError(f"Could not read {group_names(group)}: {duckdb_reason(exc)}")
    return found or ExportError(f"Could not read {group_names(group)}: {duckdb_reason(cause)}")


def _bad_value(con: duckdb.DuckDBPyConnection, group: ReadGroup) -> ExportError | None:
    types = describe(con, group)
    for column in _required(group.kind):
        if column not in types:
            continue
        hit = con.execute(f'SELECT __file FROM raw_rows WHERE "{column}" IS NULL LIMIT 1').fetchall()
        if hit:
            where = _where(con, group, hit[0][0], column, None)
            return ExportError(f"Missing {column} in {where}: every charge needs one.")
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
            return ExportError(
                f"Bad {column} value '{value}' in {where}, column {column}: not {_KIND_WORDS[what]}."
            )
    return None


def duckdb_reason(exc: BaseException) -> str:
    """DuckDB's reason without its dumps: 'CSV Error on Line: 25001 ... Expected Number of
    Columns: 44 Found: 39' becomes 'line 25001: 39 fields where the header has 44'."""
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if line and counts:
        return f"line {line[1]}: {counts[2]} fields where the header has {counts[1]}"
    kept = []
    for ln in (ln.strip() for ln in text.splitlines()):
        if ln.startswith(("Original Line", "Possible fixes", "* ", "The search space", "Delimiter")):
            break
        if ln:
            kept.append(ln.removeprefix("Invalid Input Error: "))
    return " ".join(kept[:2]) or short_error(exc)


def csv_problem(f: SourceFile) -> str | None:
    """What makes a CSV export malformed, naming its line (and column), or None when it is well
    formed as CSV (or is not CSV, or not an export at all: the caller says that)."""
    if f.is_parquet or not f.path.is_file():
        return None
    try:
        with _open_binary(f.path) as raw:
            first = raw.readline()
            if not first.strip():
                return f"{f.label} is empty: it has no header line."
            undecodable = _not_utf8(raw, first)
    except (OSError, EOFError) as exc:  # e.g. a .gz file that is not gzip
        return f"Could not read {f.label}: {exc}"
    if undecodable:
        return f"{f.label}, {undecodable}: not UTF-8 text (save the export as UTF-8)."
    delimiter = max(",;\t|", key=first.decode("utf-8-sig").count)
    with _open_text(f.path) as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except (csv.Error, StopIteration) as exc:
            return f"{f.label}, line 1: the header is not CSV ({exc})."
        if not _is_export_header(header):
            return None
        start = reader.line_num + 1
        try:
            for row in reader:
                if row and len(row) != len(header):
                    return f"{f.label}, {_ragged(start, row, header)}"
                start = reader.line_num + 1
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                return f"{f.label}, line {start}: a quoted field opened on this line is never closed."
            where = f"line {start}" if reader.line_num <= start else f"the row starting on line {start}"
            return f"{f.label}, {where}: not valid CSV ({exc})."
    return None


def _ragged(line: int, row: list[str], header: list[str]) -> str:
    if len(row) < len(header):
        missing = header[len(row) :]
        which = missing[0] if len(missing) == 1 else f"{missing[0]} … {missing[-1]}"
        return (
            f"line {line}: {len(row)} fields where the header has {len(header)} "
            f"(no value for column {which}); every row needs one field per column."
        )
    return (
        f"line {line}: {len(row)} fields where the header has {len(header)} "
        f"({len(row) - len(header)} more, after column {header[-1]}); an unquoted comma in a value?"
    )


def _is_export_header(header: list[str]) -> bool:
    names = {h.strip().lstrip("\ufeff") for h in header}
    return all(c in names for c in FOCUS_REQUIRED) or all(c in names for c in CUR_REQUIRED)


def _not_utf8(raw: Iterable[bytes], first: bytes) -> str:
    """'line N, byte M' of the first line that is not UTF-8, or ''."""
    for number, line in enumerate(chain([first], raw), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"line {number}, byte {exc.start + 1}"
    return ""


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
        return gzip.open(path, "rt", newline="", encoding="utf-8-sig")
    return path.open(newline="", encoding="utf-8-sig")


def _open_binary(path: Path) -> io.BufferedIOBase:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with _open_text(path) as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            yield reader.line_num, row
