"""Read billing exports (FOCUS 1.x, AWS CUR 2.0; CSV, gzip CSV, Parquet) into the store's shape.

Rows go straight into the store's tables inside the writer's transaction: a value that is
present but does not parse aborts the whole ingest, with the file, line and column named, so a
store never holds half an export. The writer then replaces what the store held for the same
(provider, billing account, billing period), so re-ingesting a period never duplicates it.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import duckdb

from tools.base import UserFacingError
from tools.cost.cur import CUR_REQUIRED, CUR_TAG_PREFIX, cur_expressions
from tools.cost.schema import (
    DATA_COLUMNS,
    FOCUS_REQUIRED,
    MONEY_COLUMNS,
    REQUIRED_COLUMNS,
    STRICT_COLUMNS,
    TIME_COLUMNS,
    column_type,
)

CSV_SUFFIXES = (".csv", ".csv.gz")
PARQUET_SUFFIXES = (".parquet",)
EXPORT_SUFFIXES = CSV_SUFFIXES + PARQUET_SUFFIXES

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


@dataclass(frozen=True)
class SourceFile:
    """A file to read, and how to name it to a person (an s3:// URL for downloaded objects)."""

    path: Path
    label: str

    @property
    def is_parquet(self) -> bool:
        return self.path.name.lower().endswith(PARQUET_SUFFIXES)


@dataclass
class Staged:
    """What one batch loaded: files read, export kinds and the files' labels."""

    files: int = 0
    formats: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def discover(paths: Sequence[Path]) -> list[SourceFile]:
    """Export files under the given files and folders, in a stable order."""
    found: list[SourceFile] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _is_export(p.name))
            if not files:
                raise UserFacingError(
                    f"No FOCUS CSV files or other billing exports (FOCUS, CUR 2.0) in folder {path} "
                    "(*.csv, *.csv.gz, *.parquet)."
                )
            found.extend(SourceFile(p, str(p)) for p in files)
        elif path.is_file():
            found.append(SourceFile(path, str(path)))
        else:
            raise UserFacingError(
                f"Billing export not found: {path}. Check the path (or focus_paths setting)."
            )
    return found


def _is_export(name: str) -> bool:
    return name.lower().endswith(EXPORT_SUFFIXES)


def connect_memory() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    # Timestamps with an offset are converted to UTC; those without one are taken as UTC.
    con.execute("SET TimeZone = 'UTC'")
    return con


@dataclass(frozen=True)
class _Group:
    """Files read by one scan: `reader` is the SQL of their rows, with the file in `__file`."""

    reader: str
    files: list[SourceFile]
    kind: str


class LoadFailed(Exception):
    """A value did not convert while loading. The transaction is aborted; once it is rolled
    back, `explain()` finds the value again and names its file, line and column."""

    def __init__(self, stager: Stager, group: _Group, cause: duckdb.Error) -> None:
        super().__init__(str(cause))
        self.stager = stager
        self.group = group
        self.cause = cause

    def explain(self) -> UserFacingError:
        return self.stager.explain(self.group, self.cause)


class Stager:
    """Loads exports straight into `{catalog}.charges` / `tag_values` under one batch id.

    It runs inside the writer's transaction: values are converted with strict casts, so the
    first bad value aborts the whole load (nothing half-loaded) and only then is the export
    searched for it. Checking every value up front would mean a second pass over the data on
    every ingest; the search runs only when an export is actually broken.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, catalog: str, batch_id: int) -> None:
        self.con = con
        self.catalog = catalog
        self.batch_id = batch_id
        self.result = Staged()

    def stage_files(self, files: Sequence[SourceFile]) -> Staged:
        groups: dict[tuple[bool, str], list[SourceFile]] = {}
        for f in files:
            kind = self._kind(f)
            groups.setdefault((f.is_parquet, kind), []).append(f)
        for (parquet, kind), members in groups.items():
            self._load(_Group(_reader(members, parquet), members, kind))
            self.result.labels.extend(f.label for f in members)
        self.result.files += len(files)
        return self.result

    def stage_relation(self, sql: str, label: str) -> Staged:
        """Rows with FOCUS columns from a query (the demo data generator)."""
        self._load(_Group(f"(SELECT *, {_literal(label)} AS __file FROM ({sql}))", [], "focus"))
        self.result.labels.append(label)
        self.result.files += 1
        return self.result

    # --- reading ---------------------------------------------------------------------------

    def _kind(self, f: SourceFile) -> str:
        columns = set(self._header(f))
        if all(c in columns for c in FOCUS_REQUIRED):
            return "focus"
        if all(c in columns for c in CUR_REQUIRED):
            return "cur2"
        focus_missing = [c for c in FOCUS_REQUIRED if c not in columns]
        raise UserFacingError(
            f"{f.label} is not a FOCUS or CUR 2.0 export: missing column(s) {', '.join(focus_missing)} "
            f"(FOCUS) or {', '.join(c for c in CUR_REQUIRED if c not in columns)} (CUR 2.0)."
        )

    def _header(self, f: SourceFile) -> list[str]:
        try:
            if f.is_parquet:
                rows = self.con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(f.path)]).fetchall()
            else:
                rows = self.con.execute(
                    "DESCRIBE SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(f.path)]
                ).fetchall()
        except duckdb.Error as exc:
            raise UserFacingError(f"Could not read {f.label}: {_short(exc)}") from exc
        return [r[0] for r in rows]

    def _describe(self, group: _Group) -> dict[str, str]:
        """Column name -> type of the group's rows (and defines the temp view `raw_rows`)."""
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW raw_rows AS SELECT * FROM {group.reader}")
            return {r[0]: r[1] for r in self.con.execute("DESCRIBE raw_rows").fetchall()}
        except duckdb.Error as exc:
            raise UserFacingError(f"Could not read {_names(group)}: {_short(exc)}") from exc

    def _load(self, group: _Group) -> None:
        types = self._describe(group)
        selects = ["? AS batch_id", "__file AS source_file"]
        selects += [f"{expr} AS {c}" for c, expr in _store_expressions(group.kind, types).items()]
        tags_col = "Tags" if group.kind == "focus" else "resource_tags"
        tag_text = _tag_text(tags_col, types)
        selects.append(f"CASE WHEN {tag_text} IS NULL THEN NULL ELSE hash({tag_text}) END AS tag_set")
        try:
            self.con.execute(
                f"INSERT INTO {self.catalog}.charges SELECT {', '.join(selects)} FROM raw_rows",
                [self.batch_id],
            )
        except duckdb.Error as exc:
            raise LoadFailed(self, group, exc) from exc
        self.result.formats.append(group.kind)
        # Tag sets are parsed once per distinct text, not once per row.
        self._load_tags(tag_text, CUR_TAG_PREFIX if group.kind == "cur2" else None)

    def _load_tags(self, tag_text: str, strip_prefix: str | None) -> None:
        if tag_text == "NULL":
            return
        key = "e.key"
        if strip_prefix:
            cut = len(strip_prefix) + 1
            key = f"CASE WHEN starts_with(e.key, '{strip_prefix}') THEN substr(e.key, {cut}) ELSE e.key END"
        self.con.execute(
            f"INSERT INTO {self.catalog}.tag_values SELECT DISTINCT hash(t) AS tag_set, "
            f"lower(trim({key})) AS key_norm, {key} AS key, e.value AS value FROM (SELECT t, "
            "unnest(map_entries(TRY_CAST(TRY_CAST(t AS JSON) AS MAP(VARCHAR, VARCHAR)))) AS e "
            f"FROM (SELECT DISTINCT {tag_text} AS t FROM raw_rows) WHERE t IS NOT NULL) "
            f"WHERE e.value IS NOT NULL AND hash(t) NOT IN (SELECT tag_set FROM {self.catalog}.tag_values)"
        )

    # --- explaining a failed load --------------------------------------------------------------

    def explain(self, group: _Group, cause: duckdb.Error) -> UserFacingError:
        """The first missing or unconvertible value in the group, by file, line and column."""
        types = self._describe(group)
        for column in _required(group.kind):
            if column not in types:
                continue
            hit = self.con.execute(f'SELECT __file FROM raw_rows WHERE "{column}" IS NULL LIMIT 1').fetchall()
            if hit:
                where = self._where(group, hit[0][0], column, None)
                return UserFacingError(f"Missing {column} in {where}: every charge needs one.")
        for column, what in _strict(group.kind).items():
            if column not in types:
                continue
            quoted = f'"{column}"'
            raw_expr = f"trim({quoted})" if types[column] == "VARCHAR" else quoted
            rows = self.con.execute(
                f"SELECT __file, {quoted}::VARCHAR FROM raw_rows WHERE "
                f"{_bad_check(raw_expr, _KIND_TYPES[what])} LIMIT 1"
            ).fetchall()
            if rows:
                source, value = rows[0]
                where = self._where(group, source, column, value)
                return UserFacingError(
                    f"Bad {column} value '{value}' in {where}, column {column}: not {_KIND_WORDS[what]}."
                )
        return UserFacingError(f"Could not read {_names(group)}: {_short(cause)}")

    def _where(self, group: _Group, source: str, column: str, value: str | None) -> str:
        label = next((f.label for f in group.files if str(f.path) == source), source)
        return label + self._line(source, column, value)

    def _line(self, source: str, column: str, value: str | None) -> str:
        """', line N' (CSV: the physical line; Parquet: ', row N'), or '' when it cannot be found."""
        path = Path(source)
        if not path.is_file():
            return ""
        if path.name.lower().endswith(PARQUET_SUFFIXES):
            cond = f'"{column}" IS NULL' if value is None else f'"{column}"::VARCHAR = ?'
            params: list[object] = [str(path)]
            if value is not None:
                params.append(value)
            rows = self.con.execute(
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


def _reader(files: list[SourceFile], parquet: bool) -> str:
    paths = "[" + ", ".join(_literal(str(f.path)) for f in files) + "]"
    if parquet:
        return f"read_parquet({paths}, union_by_name = true, filename = '__file')"
    return (
        f"read_csv({paths}, header = true, all_varchar = true, nullstr = ['NULL', ''], "
        "union_by_name = true, filename = '__file')"
    )


def _store_expressions(kind: str, types: dict[str, str]) -> dict[str, str]:
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


def _required(kind: str) -> tuple[str, ...]:
    """The export's columns that become REQUIRED_COLUMNS."""
    if kind == "focus":
        return REQUIRED_COLUMNS
    return ("line_item_unblended_cost", "line_item_usage_start_date")


def _strict(kind: str) -> dict[str, str]:
    if kind == "focus":
        return {c: _focus_kind(c) for c in STRICT_COLUMNS}
    return dict(_CUR_STRICT)


def _names(group: _Group) -> str:
    return ", ".join(f.label for f in group.files) or "the generated data"


def _open_text(path: Path) -> TextIO:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", newline="", encoding="utf-8")
    return path.open(newline="", encoding="utf-8")


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with _open_text(path) as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            yield reader.line_num, row


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _focus_kind(column: str) -> str:
    if column in MONEY_COLUMNS:
        return "money"
    if column in TIME_COLUMNS:
        return "time"
    return "number"


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


def _bad_check(raw_expr: str, target: str) -> str:
    return f"({raw_expr} IS NOT NULL AND TRY_CAST({raw_expr} AS {target}) IS NULL)"


def _map_value(column: str, key: str, types: dict[str, str]) -> str:
    quoted = f'"{column}"'
    if types.get(column, "").startswith("MAP"):
        return f"map_extract_value({quoted}, '{key}')"
    return f"CASE WHEN json_valid({quoted}) THEN json_extract_string({quoted}, '$.\"{key}\"') END"


def _tag_text(column: str, types: dict[str, str]) -> str:
    """The tag set as JSON text (MAP columns are rendered as JSON so both kinds hash alike)."""
    if column not in types:
        return "NULL"
    quoted = f'"{column}"'
    kind = types[column]
    if kind.startswith("MAP") or kind.startswith("STRUCT"):
        empty = f"{quoted} IS NULL OR cardinality({quoted}) = 0"
        return f"CASE WHEN {empty} THEN NULL ELSE to_json({quoted})::VARCHAR END"
    return f"CASE WHEN trim({quoted}) IN ('', '{{}}') THEN NULL ELSE {quoted}::VARCHAR END"


def _short(exc: BaseException) -> str:
    """DuckDB's first lines (they name the line and column); the sniffer dump after them is noise."""
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return " ".join(lines[:4])
