"""Finding billing export files (FOCUS 1.x, AWS CUR 2.0; CSV, gzip CSV, Parquet) on disk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.cost.errors import ExportNotFound

CSV_SUFFIXES = (".csv", ".csv.gz")
PARQUET_SUFFIXES = (".parquet",)
EXPORT_SUFFIXES = CSV_SUFFIXES + PARQUET_SUFFIXES


@dataclass(frozen=True)
class SourceFile:
    """A file to read, and how to name it to a person (an s3:// URL for downloaded objects)."""

    path: Path
    label: str

    @property
    def is_parquet(self) -> bool:
        return self.path.name.lower().endswith(PARQUET_SUFFIXES)


def discover(paths: Sequence[Path]) -> list[SourceFile]:
    """Export files under the given files and folders, in a stable order."""
    found: list[SourceFile] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _is_export(p.name))
            if not files:
                raise ExportNotFound(
                    f"No FOCUS CSV files or other billing exports (FOCUS, CUR 2.0) in folder {path} "
                    "(*.csv, *.csv.gz, *.parquet)."
                )
            found.extend(SourceFile(p, str(p)) for p in files)
        elif path.is_file():
            found.append(SourceFile(path, str(path)))
        else:
            raise ExportNotFound(
                f"Billing export not found: {path}. Check the path (or focus_paths setting)."
            )
    return found


def _is_export(name: str) -> bool:
    return name.lower().endswith(EXPORT_SUFFIXES)
