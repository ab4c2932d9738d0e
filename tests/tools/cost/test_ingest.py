"""Ingestion: FOCUS and CUR 2.0 in CSV, gzip CSV and Parquet; replacement by billing period;
clear errors with nothing half-loaded; the file store and its readers; S3 prefixes."""

from __future__ import annotations

import csv
import gzip
import json
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from config import load_settings
from store import Store
from tests.tools.cost.reference import load_rows
from tools.base import ToolContext, UserFacingError
from tools.cost import BUNDLED_SAMPLE, CostStore
from tools.cost.cost_query import CostQuery
from tools.cost.datastore import STORE_FILE
from tools.cost.manage import ingest, status
from tools.inventory.aws import AwsClients

NOW = datetime(2024, 10, 15, tzinfo=UTC)
FOCUS = [
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "BillingCurrency",
    "ChargePeriodStart",
    "ServiceName",
    "ProviderName",
    "BillingAccountId",
    "BillingPeriodStart",
    "SubAccountName",
    "Tags",
]


def focus_row(
    cost: str,
    start: str = "2024-09-10T00:00:00Z",
    period: str = "2024-09-01T00:00:00Z",
    service: str = "Amazon Simple Storage Service",
    **extra: str,
) -> dict[str, str]:
    return {
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": cost,
        "BillingCurrency": "USD",
        "ChargePeriodStart": start,
        "ServiceName": service,
        "ProviderName": "AWS",
        "BillingAccountId": "111",
        "BillingPeriodStart": period,
        "SubAccountName": "team-a",
        **extra,
    }


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] = FOCUS, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", newline="") if gz else path.open("w", newline="") as fh:  # noqa: SIM115
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "NULL") for c in columns})
    return path


def to_parquet(csv_path: Path, parquet_path: Path, *, nulls: bool = False) -> Path:
    """The CSV as Parquet text columns; with `nulls`, the CSV's NULL cells become real nulls."""
    con = duckdb.connect()
    nullstr = ", nullstr = 'NULL'" if nulls else ""
    con.execute(
        f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar = true{nullstr})) "
        f"TO '{parquet_path}' (FORMAT parquet)"
    )
    con.close()
    return parquet_path


def total(store: CostStore) -> Decimal:
    return Decimal(store.fetch("SELECT coalesce(sum(BilledCost), 0) FROM charges")[0][0])


def test_csv_gzip_and_parquet_load_the_same(tmp_path: Path) -> None:
    rows = [focus_row("1.25", Tags='{"team": "web"}'), focus_row("2.5", Tags='{"Team ": "data"}')]
    plain = write_csv(tmp_path / "a.csv", rows)
    zipped = write_csv(tmp_path / "b.csv.gz", rows, gz=True)
    parquet = to_parquet(plain, tmp_path / "c.parquet")
    for path in (plain, zipped, parquet):
        store = CostStore.from_paths([path])
        assert total(store) == Decimal("3.75")
        assert store.tag_keys() == ["team"]


def test_the_bundled_sample_matches_an_independent_reading() -> None:
    store = CostStore.from_paths([BUNDLED_SAMPLE])
    reference = load_rows(BUNDLED_SAMPLE)
    assert store.row_count() == len(reference)
    assert total(store) == sum((r.billed for r in reference), Decimal(0))


CUR_COLUMNS = [
    "bill_payer_account_id",
    "bill_payer_account_name",
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_account_id",
    "line_item_usage_account_name",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_resource_id",
    "line_item_usage_amount",
    "line_item_currency_code",
    "line_item_unblended_cost",
    "line_item_line_item_description",
    "product_region_code",
    "pricing_public_on_demand_cost",
    "pricing_public_on_demand_rate",
    "pricing_unit",
    "savings_plan_savings_plan_effective_cost",
    "resource_tags",
]


def cur_row(
    kind: str, cost: str, code: str = "AmazonEC2", effective: str = "", **extra: str
) -> dict[str, str]:
    return {
        "bill_payer_account_id": "999988887777",
        "bill_payer_account_name": "Payer",
        "bill_billing_period_start_date": "2024-09-01T00:00:00.000Z",
        "bill_billing_period_end_date": "2024-10-01T00:00:00.000Z",
        "line_item_usage_account_id": "123456789012",
        "line_item_usage_account_name": "prod",
        "line_item_line_item_type": kind,
        "line_item_usage_start_date": "2024-09-05T00:00:00.000Z",
        "line_item_usage_end_date": "2024-09-05T01:00:00.000Z",
        "line_item_product_code": code,
        "line_item_usage_type": "BoxUsage:m5.large",
        "line_item_resource_id": "i-0abc",
        "line_item_usage_amount": "1",
        "line_item_currency_code": "USD",
        "line_item_unblended_cost": cost,
        "line_item_line_item_description": "usage",
        "product_region_code": "us-east-1",
        "pricing_public_on_demand_cost": "0.096",
        "pricing_public_on_demand_rate": "0.096",
        "pricing_unit": "Hrs",
        "savings_plan_savings_plan_effective_cost": effective,
        "resource_tags": '{"user_team": "web", "aws_createdBy": "ci"}',
        **extra,
    }


def test_cur2_maps_onto_focus_columns(tmp_path: Path) -> None:
    rows = [
        cur_row("Usage", "0.096"),
        cur_row("SavingsPlanCoveredUsage", "0.096", effective="0.06"),
        cur_row("SavingsPlanNegation", "-0.096"),
        cur_row("Tax", "0.02", code="AmazonS3"),
        cur_row("Credit", "-0.01", code="AWSLambda"),
    ]
    path = write_csv(tmp_path / "cur.csv", rows, CUR_COLUMNS)
    for source in (path, to_parquet(path, tmp_path / "cur.parquet")):
        store = CostStore.from_paths([source])
        got = store.fetch(
            "SELECT ServiceName, ChargeCategory, sum(BilledCost), sum(EffectiveCost), max(RegionId), "
            "max(SubAccountName), max(UsageType) FROM charges GROUP BY 1, 2 ORDER BY 1, 2"
        )
        assert [(g[0], g[1], g[2], g[3]) for g in got] == [
            ("AWS Lambda", "Credit", Decimal("-0.01"), Decimal("-0.01")),
            ("Amazon Elastic Compute Cloud", "Usage", Decimal("0.096"), Decimal("0.156")),
            ("Amazon Simple Storage Service", "Tax", Decimal("0.02"), Decimal("0.02")),
        ]
        assert got[1][4:] == ("us-east-1", "prod", "BoxUsage:m5.large")
        # "user_" is CUR's prefix for user tags; people ask for "team".
        assert store.tag_keys() == ["aws_createdby", "team"]


def test_cur2_answers_ec2_questions(tmp_path: Path, make_ctx: Callable[..., ToolContext]) -> None:
    path = write_csv(tmp_path / "cur.csv", [cur_row("Usage", "0.5"), cur_row("Usage", "0.25")], CUR_COLUMNS)
    ctx = make_ctx(focus_paths=[path])
    tool = CostQuery()
    result = tool.run(
        ctx, tool.parse({"period": "2024-09", "service": "EC2", "tags": {"team": "web"}, "chart": False})
    )
    assert result.total == Decimal("0.75")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [focus_row("1"), focus_row("12,50")],
            r"Bad BilledCost value '12,50' in .*bad\.csv, line 3, column BilledCost",
        ),
        (
            [focus_row("1", start="yesterday")],
            r"Bad ChargePeriodStart value 'yesterday' in .*bad\.csv, line 2",
        ),
        ([focus_row("NULL")], r"Missing BilledCost in .*bad\.csv, line 2"),
    ],
)
def test_malformed_values_name_file_line_and_column(
    tmp_path: Path, rows: list[dict[str, str]], message: str
) -> None:
    with pytest.raises(UserFacingError, match=message):
        CostStore.from_paths([write_csv(tmp_path / "bad.csv", rows)])


def test_malformed_parquet_names_the_row(tmp_path: Path) -> None:
    path = to_parquet(
        write_csv(tmp_path / "x.csv", [focus_row("1"), focus_row("2"), focus_row("oops")]),
        tmp_path / "bad.parquet",
    )
    with pytest.raises(UserFacingError, match=r"Bad BilledCost value 'oops' in .*bad\.parquet, row 3"):
        CostStore.from_paths([path])


def test_malformed_cur_value_names_its_source_column(tmp_path: Path) -> None:
    rows = [cur_row("Usage", "0.5"), cur_row("Usage", "0.25", line_item_usage_amount="lots")]
    path = write_csv(tmp_path / "cur.csv", rows, CUR_COLUMNS)
    with pytest.raises(
        UserFacingError, match=r"Bad line_item_usage_amount value 'lots' in .*cur\.csv, line 3"
    ):
        CostStore.from_paths([path])


def test_missing_start_in_parquet_names_the_row(tmp_path: Path) -> None:
    rows = [focus_row("1"), focus_row("2", start="NULL")]
    path = to_parquet(write_csv(tmp_path / "x.csv", rows), tmp_path / "gap.parquet", nulls=True)
    with pytest.raises(UserFacingError, match=r"Missing ChargePeriodStart in .*gap\.parquet, row 2"):
        CostStore.from_paths([path])


def test_a_bad_file_among_good_ones_loads_none_of_them(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    good = write_csv(tmp_path / "in" / "a.csv", [focus_row("1")])
    to_parquet(write_csv(tmp_path / "x.csv", [focus_row("oops")]), tmp_path / "in" / "b.parquet")
    with pytest.raises(UserFacingError, match=r"b\.parquet, row 1"):
        ingest(settings, [str(good.parent)], NOW)
    assert not (tmp_path / "data" / STORE_FILE).exists() or total(
        CostStore.open(tmp_path / "data" / STORE_FILE)
    ) == Decimal("0")


def test_reingesting_a_period_replaces_it(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", now="2024-10-15")
    sept = write_csv(tmp_path / "sept" / "a.csv", [focus_row("1"), focus_row("2")])
    first = ingest(settings, [str(sept)], NOW)
    assert (first.rows, first.replaced_rows, first.periods) == (2, 0, ["2024-09"])
    again = ingest(settings, [str(sept)], NOW)
    assert again.replaced_rows == 2
    oct_ = write_csv(tmp_path / "oct" / "a.csv", [focus_row("5", start="2024-10-02", period="2024-10-01")])
    ingest(settings, [str(oct_)], NOW)
    info = status(settings, NOW)
    assert info.rows == 3
    assert [(p.billing_period, p.rows, p.billed) for p in info.periods] == [
        ("2024-09", 2, Decimal("3")),
        ("2024-10", 1, Decimal("5")),
    ]
    # The bundled sample stood in only until real data arrived.
    assert all(b.origin == "manual" for b in info.batches)


def test_failed_ingest_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    good = write_csv(tmp_path / "good.csv", [focus_row("1")])
    ingest(settings, [str(good)], NOW)
    bad = write_csv(tmp_path / "bad" / "x.csv", [focus_row("7"), focus_row("x")])
    with pytest.raises(UserFacingError, match="line 3"):
        ingest(settings, [str(good), str(bad)], NOW)
    store = CostStore.open(tmp_path / "data" / STORE_FILE)
    assert total(store) == Decimal("1")
    assert not list((tmp_path / "data").glob("*.tmp"))


def test_readers_see_new_data_without_blocking_writers(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    ingest(settings, [str(write_csv(tmp_path / "a.csv", [focus_row("1")]))], NOW)
    reader = CostStore.open(tmp_path / "data" / STORE_FILE)
    assert total(reader) == Decimal("1")
    later = write_csv(tmp_path / "b.csv", [focus_row("4", start="2024-08-03", period="2024-08-01")])
    ingest(settings, [str(later)], NOW)  # while the reader holds its connection
    assert total(reader) == Decimal("5")


def context(tmp_path: Path, data_dir: Path, **overrides: Any) -> ToolContext:
    settings = load_settings(data_dir=data_dir, now="2024-10-15", **overrides)
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    return ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)


def test_focus_paths_changes_are_picked_up(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [focus_row("1")])
    tool = CostQuery()
    args = tool.parse({"period": "2024-09", "chart": False})
    assert tool.run(context(tmp_path, tmp_path / "data", focus_paths=[path]), args).total == Decimal("1.00")
    write_csv(path, [focus_row("1"), focus_row("9")])
    # A new process (context) on the same data dir notices the edited export.
    assert tool.run(context(tmp_path, tmp_path / "data", focus_paths=[path]), args).total == Decimal("10.00")


def test_unusable_data_dir_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    tool = CostQuery()
    result = tool.run(context(tmp_path, blocker / "data"), tool.parse({"service": "EC2", "chart": False}))
    assert result.total == Decimal("16.04")


def test_s3_prefix_ingest(tmp_path: Path, fresh_moto: str) -> None:
    settings = load_settings(data_dir=tmp_path / "data", aws={"mode": "sandbox", "endpoint_url": fresh_moto})
    s3 = AwsClients(settings.aws).client("s3", "us-east-1")
    s3.create_bucket(Bucket="billing")
    body = write_csv(tmp_path / "a.csv", [focus_row("2"), focus_row("3")]).read_bytes()
    s3.put_object(Bucket="billing", Key="focus/2024-09/part-0.csv", Body=body)
    s3.put_object(Bucket="billing", Key="focus/2024-09/manifest.json", Body=json.dumps({}).encode())
    report = ingest(settings, ["s3://billing/focus/"], NOW)
    assert (report.rows, report.files) == (2, 1)
    with pytest.raises(UserFacingError, match="No billing export files"):
        ingest(settings, ["s3://billing/nothing/"], NOW)
    with pytest.raises(UserFacingError, match="Could not list"):
        ingest(settings, ["s3://no-such-bucket/x"], NOW)
    assert urllib.request  # the moto fixture resets over HTTP
