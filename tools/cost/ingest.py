"""Read billing exports (FOCUS 1.x, AWS CUR 2.0; CSV, gzip CSV, Parquet) into the store's shape.

Rows go straight into the store's tables inside the writer's transaction: a value that is
present but does not parse aborts the whole ingest, with the file, line and column named, so a
store never holds half an export. The writer then replaces what the store held for the same
(provider, billing account, billing period), so re-ingesting a period never duplicates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb

from tools import progress
from tools.cost.cur import CUR_REQUIRED, CUR_TAG_PREFIX
from tools.cost.errors import ExportError
from tools.cost.exports import SourceFile
from tools.cost.ingest_errors import LoadFailed, csv_problem, duckdb_reason
from tools.cost.ingest_sql import (
    ReadGroup,
    describe,
    literal,
    reader_sql,
    store_expressions,
    tag_text,
)
from tools.cost.schema import FOCUS_REQUIRED


@dataclass
class Staged:
    """What one batch loaded: files read, export kinds and the files' labels."""

    files: int = 0
    formats: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def connect_memory() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    # Timestamps with an offset are converted to UTC; those without one are taken as UTC.
    con.execute("SET TimeZone = 'UTC'")
    return con


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
        for i, f in enumerate(files, 1):
            progress.report("checking billing exports", i, len(files), f.label)
            kind = self._kind(f)
            groups.setdefault((f.is_parquet, kind), []).append(f)
        for i, ((parquet, kind), members) in enumerate(groups.items(), 1):
            names = members[0].label if len(members) == 1 else f"{len(members)} {kind} files"
            progress.report("loading billing rows", i - 1, len(groups), names)
            self._load(ReadGroup(reader_sql(members, parquet), members, kind))
            self.result.labels.extend(f.label for f in members)
        self.result.files += len(files)
        return self.result

    def stage_relation(self, sql: str, label: str) -> Staged:
        """Rows with FOCUS columns from a query (the demo data generator)."""
        self._load(ReadGroup(f"(SELECT *, {literal(label)} AS __file FROM ({sql}))", [], "focus"))
        self.result.labels.append(label)
        self.result.files += 1
        return self.result

    def _kind(self, f: SourceFile) -> str:
        columns = set(self._header(f))
        if all(c in columns for c in FOCUS_REQUIRED):
            return "focus"
        if all(c in columns for c in CUR_REQUIRED):
            return "cur2"
        # A malformed CSV file (a ragged row, a quote never closed) can read as a single column:
        # name the line that breaks it rather than every column as missing.
        problem = csv_problem(f)
        if problem:
            raise ExportError(problem)
        focus_missing = [c for c in FOCUS_REQUIRED if c not in columns]
        raise ExportError(
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
            problem = csv_problem(f)
            raise ExportError(problem or f"Could not read {f.label}: {duckdb_reason(exc)}") from exc
        return [r[0] for r in rows]

    def _load(self, group: ReadGroup) -> None:
        types = describe(self.con, group)
        selects = ["? AS batch_id", "__file AS source_file"]
        selects += [f"{expr} AS {c}" for c, expr in store_expressions(group.kind, types).items()]
        tags_col = "Tags" if group.kind == "focus" else "resource_tags"
        tags_sql = tag_text(tags_col, types)
        selects.append(f"CASE WHEN {tags_sql} IS NULL THEN NULL ELSE hash({tags_sql}) END AS tag_set")
        try:
            self.con.execute(
                f"INSERT INTO {self.catalog}.charges SELECT {', '.join(selects)} FROM raw_rows",
                [self.batch_id],
            )
        except duckdb.Error as exc:
            raise LoadFailed(self.con, group, exc) from exc
        self.result.formats.append(group.kind)
        # Tag sets are parsed once per distinct text, not once per row.
        self._load_tags(tags_sql, CUR_TAG_PREFIX if group.kind == "cur2" else None)

    def _load_tags(self, tags_sql: str, strip_prefix: str | None) -> None:
        if tags_sql == "NULL":
            return
        key = "e.key"
        if strip_prefix:
            cut = len(strip_prefix) + 1
            key = f"CASE WHEN starts_with(e.key, '{strip_prefix}') THEN substr(e.key, {cut}) ELSE e.key END"
        self.con.execute(
            f"INSERT INTO {self.catalog}.tag_values SELECT DISTINCT hash(t) AS tag_set, "
            f"lower(trim({key})) AS key_norm, {key} AS key, e.value AS value FROM (SELECT t, "
            "unnest(map_entries(TRY_CAST(TRY_CAST(t AS JSON) AS MAP(VARCHAR, VARCHAR)))) AS e "
            f"FROM (SELECT DISTINCT {tags_sql} AS t FROM raw_rows) WHERE t IS NOT NULL) "
            f"WHERE e.value IS NOT NULL AND hash(t) NOT IN (SELECT tag_set FROM {self.catalog}.tag_values)"
        )
