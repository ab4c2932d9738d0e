"""An independent reading of the FOCUS sample with the csv module and Decimal (no DuckDB),
so every figure the tool reports can be checked against a second computation."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from tools.cost import BUNDLED_SAMPLE

# The shared copy beside the repository (../shared/data/focus) is the source of truth; the
# bundled copy is checked to be byte-identical to it when both exist.
SHARED_SAMPLE = Path(__file__).resolve().parents[4] / "shared" / "data" / "focus" / "focus_sample.csv"
REFERENCE_CSV = SHARED_SAMPLE if SHARED_SAMPLE.is_file() else BUNDLED_SAMPLE


@dataclass(frozen=True)
class Row:
    fields: dict[str, str | None]
    billed: Decimal
    start: datetime
    tags: dict[str, str]

    def get(self, name: str) -> str | None:
        return self.fields.get(name)


def load_rows(path: Path = REFERENCE_CSV) -> list[Row]:
    rows = []
    with path.open(newline="", encoding="utf-8") as fh:
        for raw in csv.DictReader(fh):
            fields = {k: (None if v in ("NULL", "") else v) for k, v in raw.items()}
            tags = json.loads(fields["Tags"]) if fields["Tags"] else {}
            rows.append(
                Row(
                    fields=fields,
                    billed=Decimal(raw["BilledCost"]),
                    start=datetime.fromisoformat(raw["ChargePeriodStart"]),
                    tags={str(k): str(v) for k, v in tags.items()},
                )
            )
    return rows


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def in_days(rows: Iterable[Row], first: date, last: date) -> list[Row]:
    """Rows whose charge starts on a day from `first` to `last`, both included."""
    return [r for r in rows if first <= r.start.date() <= last]


def total(rows: Iterable[Row]) -> Decimal:
    return sum((r.billed for r in rows), Decimal(0))


def sums_by(rows: Iterable[Row], key: Callable[[Row], str]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        out[key(r)] += r.billed
    return dict(out)


def region_key(r: Row) -> str:
    return r.get("RegionId") or r.get("RegionName") or "(no region)"


def tag_value(r: Row, key: str) -> str | None:
    """Tag keys match trimmed and case-insensitively; with duplicates, the smallest value."""
    values = [v for k, v in r.tags.items() if k.strip().lower() == key.strip().lower()]
    return min(values) if values else None


def account_sums(rows: Iterable[Row]) -> dict[str, Decimal]:
    """Per account (name, else id), with the id added where two accounts share a name."""
    pairs: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for r in rows:
        name = (
            r.get("SubAccountName")
            or r.get("SubAccountId")
            or r.get("BillingAccountName")
            or r.get("BillingAccountId")
            or "(no account)"
        )
        pairs[(name, r.get("SubAccountId") or r.get("BillingAccountId"))] += r.billed
    names = [name for name, _ in pairs]
    return {
        (f"{name} ({ident})" if names.count(name) > 1 and ident else name): cost
        for (name, ident), cost in pairs.items()
    }
