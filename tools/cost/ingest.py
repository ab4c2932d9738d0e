"""Read billing exports (FOCUS 1.x, AWS CUR 2.0; CSV, gzip CSV, Parquet) into the store's shape.

Staging happens in memory and is checked completely before anything is written: a value that is
present but does not parse stops the whole ingest with the file, line and column named, so a
store never holds half an export. Applying a batch replaces what the store held for the same
(provider, billing account, billing period), so re-ingesting a period never duplicates it.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

import duckdb

from tools.base import UserFacingError
from tools.cost.cur import CUR_REQUIRED, CUR_TAG_PREFIX, cur_expressions
from tools.cost.schema import (
    DATA_COLUMNS,
    FOCUS_REQUIRED,
    MONEY_COLUMNS,
    NUMBER_COLUMNS,
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
    """What one staging run produced, in the connection's temp tables `staged` and `staged_tags`."""

    files: int = 0
    rows: int = 0
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


class Stager:
    """Reads exports into the temp tables `staged` (store columns, plus `tag_raw`) and `staged_tags`."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        cols = ", ".join(f"{c} {column_type(c)}" for c in DATA_COLUMNS)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE staged (source_file VARCHAR, {cols}, tag_set UBIGINT, bad BOOLEAN)"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE staged_tags (tag_set UBIGINT, key_norm VARCHAR, key VARCHAR, "
            "value VARCHAR)"
        )
        self.result = Staged()

    def stage_files(self, files: Sequence[SourceFile]) -> Staged:
        groups: dict[tuple[bool, str], list[SourceFile]] = {}
        for f in files:
            kind = self._kind(f)
            groups.setdefault((f.is_parquet, kind), []).append(f)
        for (parquet, kind), members in groups.items():
            self._stage_group(members, parquet, kind)
        self.result.files += len(files)
        return self.result

    def stage_relation(self, sql: str, label: str) -> Staged:
        """Rows with FOCUS columns from a query (the demo data generator)."""
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW raw_rel AS SELECT *, {_literal(label)} AS __file FROM ({sql})"
        )
        present = {r[0] for r in self.con.execute("DESCRIBE raw_rel").fetchall()}
        types = {r[0]: r[1] for r in self.con.execute("DESCRIBE raw_rel").fetchall()}
        self._insert("raw_rel", "focus", present, types)
        self._check("raw_rel", [], "focus", present, types)
        self.result.formats.append("focus")
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

    def _stage_group(self, files: list[SourceFile], parquet: bool, kind: str) -> None:
        paths = "[" + ", ".join(_literal(str(f.path)) for f in files) + "]"
        if parquet:
            reader = f"read_parquet({paths}, union_by_name = true, filename = '__file')"
        else:
            reader = (
                f"read_csv({paths}, header = true, all_varchar = true, nullstr = ['NULL', ''], "
                "union_by_name = true, filename = '__file')"
            )
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW raw_files AS SELECT * FROM {reader}")
            described = self.con.execute("DESCRIBE raw_files").fetchall()
            present = {r[0] for r in described}
            types = {r[0]: r[1] for r in described}
            self._insert("raw_files", kind, present, types)
        except duckdb.Error as exc:
            names = ", ".join(f.label for f in files)
            raise UserFacingError(f"Could not read {names}: {_short(exc)}") from exc
        self._check("raw_files", files, kind, present, types)
        self.result.formats.append(kind)
        self.result.labels.extend(f.label for f in files)

    def _insert(self, view: str, kind: str, present: set[str], types: dict[str, str]) -> None:
        def raw(name: str) -> str:
            if name not in present:
                return "NULL"
            quoted = f'"{name}"'
            return f"trim({quoted})" if types[name] == "VARCHAR" else quoted

        if kind == "focus":
            exprs = {c: raw(c) for c in DATA_COLUMNS}
            if "UsageType" not in present:
                exprs["UsageType"] = raw("x_UsageType")
            strict = {c: _focus_kind(c) for c in (*MONEY_COLUMNS, *TIME_COLUMNS, *NUMBER_COLUMNS)}
            tags_col = "Tags"
        else:
            exprs = cur_expressions(raw, present, lambda col, key: _map_value(col, key, types))
            strict = dict(_CUR_STRICT)
            tags_col = "resource_tags"

        selects = ["__file AS source_file"]
        for c in DATA_COLUMNS:
            selects.append(f"{_cast(exprs[c], column_type(c))} AS {c}")
        tag_text = _tag_text(tags_col, present, types)
        selects.append(f"CASE WHEN {tag_text} IS NULL THEN NULL ELSE hash({tag_text}) END AS tag_set")
        checks = [_bad_check(raw(c), _KIND_TYPES[k]) for c, k in strict.items() if c in present]
        required = self._required(kind)
        checks += [f"{raw(c)} IS NULL" for c in required]
        selects.append(f"({' OR '.join(checks) or 'FALSE'}) AS bad")
        self.con.execute(f"INSERT INTO staged SELECT {', '.join(selects)} FROM {view}")
        # Tag sets are parsed once per distinct text, not once per row.
        prefix = CUR_TAG_PREFIX if kind == "cur2" else None
        self._stage_tags(view, tag_text, prefix)

    @staticmethod
    def _required(kind: str) -> tuple[str, ...]:
        if kind == "focus":
            return ("BilledCost", "ChargePeriodStart")
        return ("line_item_unblended_cost", "line_item_usage_start_date")

    def _stage_tags(self, view: str, tag_text: str, strip_prefix: str | None) -> None:
        if tag_text == "NULL":
            return
        key = "e.key"
        if strip_prefix:
            cut = len(strip_prefix) + 1
            key = f"CASE WHEN starts_with(e.key, '{strip_prefix}') THEN substr(e.key, {cut}) ELSE e.key END"
        self.con.execute(
            f"INSERT INTO staged_tags SELECT DISTINCT hash(t) AS tag_set, lower(trim({key})) AS key_norm, "
            f"{key} AS key, e.value AS value FROM (SELECT t, unnest(map_entries(TRY_CAST(TRY_CAST(t AS JSON) "
            f"AS MAP(VARCHAR, VARCHAR)))) AS e FROM (SELECT DISTINCT {tag_text} AS t FROM {view}) "
            f"WHERE t IS NOT NULL) WHERE e.value IS NOT NULL AND hash(t) NOT IN "
            "(SELECT tag_set FROM staged_tags)"
        )

    # --- checking ----------------------------------------------------------------------------

    def _check(
        self, view: str, files: list[SourceFile], kind: str, present: set[str], types: dict[str, str]
    ) -> None:
        bad = self.con.execute("SELECT source_file FROM staged WHERE bad LIMIT 1").fetchall()
        if not bad:
            return
        source = bad[0][0]
        label = next((f.label for f in files if str(f.path) == source), source)
        strict = (
            {c: _focus_kind(c) for c in (*MONEY_COLUMNS, *TIME_COLUMNS, *NUMBER_COLUMNS)}
            if kind == "focus"
            else dict(_CUR_STRICT)
        )
        for column in self._required(kind):
            if column not in present:
                continue
            hit = self.con.execute(
                f'SELECT 1 FROM {view} WHERE __file = ? AND "{column}" IS NULL LIMIT 1', [source]
            )
            if hit.fetchall():
                line = self._line(files, source, column, None)
                raise UserFacingError(f"Missing {column} in {label}{line}: every charge needs one.")
        for column, what in strict.items():
            if column not in present:
                continue
            quoted = f'"{column}"'
            raw_expr = f"trim({quoted})" if types[column] == "VARCHAR" else quoted
            rows = self.con.execute(
                f"SELECT {quoted}::VARCHAR FROM {view} WHERE __file = ? AND "
                f"{_bad_check(raw_expr, _KIND_TYPES[what])} LIMIT 1",
                [source],
            ).fetchall()
            if rows:
                value = rows[0][0]
                line = self._line(files, source, column, value)
                raise UserFacingError(
                    f"Bad {column} value '{value}' in {label}{line}, column {column}: "
                    f"not {_KIND_WORDS[what]}."
                )
        raise UserFacingError(f"{label} has a row that could not be read.")

    def _line(self, files: list[SourceFile], source: str, column: str, value: str | None) -> str:
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


def _cast(expr: str, target: str) -> str:
    if expr == "NULL":
        return f"NULL::{target}"
    if target == "TIMESTAMP":
        return f"TRY_CAST({expr} AS TIMESTAMPTZ)::TIMESTAMP"
    if target == "VARCHAR":
        return f"({expr})::VARCHAR"
    return f"TRY_CAST({expr} AS {target})"


def _bad_check(raw_expr: str, target: str) -> str:
    return f"({raw_expr} IS NOT NULL AND TRY_CAST({raw_expr} AS {target}) IS NULL)"


def _map_value(column: str, key: str, types: dict[str, str]) -> str:
    quoted = f'"{column}"'
    if types.get(column, "").startswith("MAP"):
        return f"map_extract_value({quoted}, '{key}')"
    return f"CASE WHEN json_valid({quoted}) THEN json_extract_string({quoted}, '$.\"{key}\"') END"


def _tag_text(column: str, present: set[str], types: dict[str, str]) -> str:
    """The tag set as JSON text (MAP columns are rendered as JSON so both kinds hash alike)."""
    if column not in present:
        return "NULL"
    quoted = f'"{column}"'
    kind = types.get(column, "VARCHAR")
    if kind.startswith("MAP") or kind.startswith("STRUCT"):
        empty = f"{quoted} IS NULL OR cardinality({quoted}) = 0"
        return f"CASE WHEN {empty} THEN NULL ELSE to_json({quoted})::VARCHAR END"
    return f"CASE WHEN trim({quoted}) IN ('', '{{}}') THEN NULL ELSE {quoted}::VARCHAR END"


def _short(exc: BaseException) -> str:
    """DuckDB's first lines (they name the line and column); the sniffer dump after them is noise."""
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return " ".join(lines[:4])


def staged_summary(con: duckdb.DuckDBPyConnection) -> tuple[int, list[str], list[str]]:
    """Rows, billing periods (YYYY-MM) and providers in the staged data."""
    rows = int(con.execute("SELECT count(*) FROM staged").fetchall()[0][0])
    periods = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT strftime(coalesce(BillingPeriodStart, date_trunc('month', ChargePeriodStart)), "
            "'%Y-%m') FROM staged ORDER BY 1"
        ).fetchall()
    ]
    providers = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT coalesce(ProviderName, '(unknown)') FROM staged ORDER BY 1"
        ).fetchall()
    ]
    return rows, periods, providers


@dataclass(frozen=True)
class BatchInfo:
    origin: str
    source: str
    fingerprint: str
    ingested_at: datetime
