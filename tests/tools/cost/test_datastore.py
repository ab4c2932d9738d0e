"""Loading FOCUS exports: files and folders, several files, bad data, mixed currencies."""

from __future__ import annotations

import csv
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from tests.tools.cost.reference import SHARED_SAMPLE
from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.cost import BUNDLED_SAMPLE, CostStore
from tools.cost.cost_query import CostQuery

COLUMNS = [
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "BillingCurrency",
    "ChargePeriodStart",
    "ServiceName",
    "SubAccountId",
    "SubAccountName",
    "RegionId",
    "Tags",
]


def write_focus(path: Path, rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "NULL") for c in columns})
    return path


def charge(
    cost: str, currency: str = "USD", start: str = "2024-09-10 00:00:00", **extra: str
) -> dict[str, str]:
    return {
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": cost,
        "BillingCurrency": currency,
        "ChargePeriodStart": start,
        "ServiceName": "Amazon Simple Storage Service",
        **extra,
    }


def test_bundled_sample_is_the_shared_file() -> None:
    if not SHARED_SAMPLE.is_file():
        pytest.skip("the shared FOCUS sample is not beside this checkout")
    assert BUNDLED_SAMPLE.read_bytes() == SHARED_SAMPLE.read_bytes()
    assert (BUNDLED_SAMPLE.parent / "README.md").read_text().count("CC BY 4.0") == 1


def test_default_settings_load_the_bundled_sample(make_ctx: Callable[..., ToolContext]) -> None:
    store = CostStore.from_settings(make_ctx().settings)
    assert store.sources == (BUNDLED_SAMPLE,)
    assert store.row_count() == 1000
    money = store.fetch(
        "SELECT typeof(BilledCost), typeof(EffectiveCost), typeof(ListCost) FROM charges LIMIT 1"
    )
    assert money == [("DECIMAL(38,12)",) * 3]


def test_files_and_folders(tmp_path: Path) -> None:
    a = write_focus(tmp_path / "exports" / "a.csv", [charge("1.005")])
    write_focus(tmp_path / "exports" / "sub" / "b.csv", [charge("2.10"), charge("0.001")])
    store = CostStore.from_paths([tmp_path / "exports"])
    assert store.row_count() == 3
    assert store.fetch("SELECT sum(BilledCost) FROM charges") == [(Decimal("3.106"),)]
    assert CostStore.from_paths([a]).row_count() == 1


def test_files_with_different_columns_load_together(tmp_path: Path) -> None:
    write_focus(tmp_path / "a.csv", [charge("1.00", RegionId="us-east-1")])
    write_focus(tmp_path / "b.csv", [charge("2.00")], columns=COLUMNS[:6])
    store = CostStore.from_paths([tmp_path / "a.csv", tmp_path / "b.csv"])
    assert store.fetch("SELECT RegionId, BilledCost FROM charges ORDER BY BilledCost") == [
        ("us-east-1", Decimal("1.000000000000")),
        (None, Decimal("2.000000000000")),
    ]


def test_timestamps_with_offsets_are_utc(tmp_path: Path) -> None:
    path = write_focus(
        tmp_path / "a.csv",
        [charge("1", start="2024-09-30T23:30:00-02:00"), charge("2", start="2024-09-30T22:00:00Z")],
    )
    days = CostStore.from_paths([path]).fetch("SELECT strftime(ChargePeriodStart, '%Y-%m-%d') FROM charges")
    assert sorted(d for (d,) in days) == ["2024-09-30", "2024-10-01"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.csv", "not found"),
        (lambda p: (p / "empty").mkdir() or p / "empty", "No FOCUS CSV files"),
        (lambda p: write_focus(p / "x.csv", [{"cost": "1"}], columns=["cost"]), "missing column"),
        (lambda p: write_focus(p / "x.csv", [charge("12,50")]), "Bad BilledCost value '12,50'"),
        (lambda p: write_focus(p / "x.csv", [charge("1", start="yesterday")]), "Bad ChargePeriodStart"),
    ],
)
def test_unusable_data_is_reported(tmp_path: Path, make: Callable[[Path], Path], message: str) -> None:
    with pytest.raises(UserFacingError, match=message):
        CostStore.from_paths([make(tmp_path)])


def test_malformed_tags_leave_the_charge_untagged(tmp_path: Path) -> None:
    path = write_focus(
        tmp_path / "x.csv", [charge("1", Tags="{not json"), charge("2", Tags='{"env": "prod"}')]
    )
    store = CostStore.from_paths([path])
    assert store.row_count() == 2
    assert store.tag_keys() == ["env"]


def test_focus_paths_setting_and_mixed_currencies(
    tmp_path: Path, make_ctx: Callable[..., ToolContext]
) -> None:
    path = write_focus(
        tmp_path / "mixed.csv",
        [
            charge("10.005", "USD", SubAccountName="us-team"),
            charge("7.50", "EUR", SubAccountName="eu-team"),
            charge("0.10", "EUR", SubAccountName="eu-team"),
        ],
    )
    ctx = make_ctx(focus_paths=[path])
    tool = CostQuery()
    mixed = tool.run(ctx, tool.parse({"period": "2024-09"}))
    assert mixed.status == ToolStatus.ERROR
    assert "2 currencies" in mixed.message and "$10.01" in mixed.message and "€7.60" in mixed.message
    assert mixed.tables[0].rows == [["USD", "10.01", 1], ["EUR", "7.60", 2]]

    eur = tool.run(ctx, tool.parse({"period": "2024-09", "account": "eu-team"}))
    assert eur.status == ToolStatus.OK
    assert (eur.currency, eur.total) == ("EUR", Decimal("7.60"))
    assert eur.message.startswith("Total cost €7.60 in September 2024")


def test_cent_rounding_is_half_up_after_summing(tmp_path: Path, make_ctx: Callable[..., ToolContext]) -> None:
    # Each 0.0025 rounds to 0.00; their sum 0.0050 rounds half-up to 0.01 (banker's would give 0.00).
    path = write_focus(tmp_path / "c.csv", [charge("0.0025"), charge("0.0025")])
    tool = CostQuery()
    result = tool.run(make_ctx(focus_paths=[path]), tool.parse({"period": "2024-09"}))
    assert result.total == Decimal("0.01")
