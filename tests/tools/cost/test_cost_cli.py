"""`cloudpilot cost ingest|status` through click, on a temporary data dir."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
from click.testing import CliRunner

from bot.terminal.cost_commands import cost
from config import Settings, load_settings


class _State:
    def __init__(self, data_dir: Path) -> None:
        self.settings: Settings = load_settings(data_dir=data_dir, now="2024-10-15")


def invoke(data_dir: Path, *args: str) -> click.testing.Result:
    return CliRunner().invoke(cost, list(args), obj=_State(data_dir))


def export(path: Path, costs: list[str]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["BilledCost", "BillingCurrency", "ChargePeriodStart", "ServiceName", "ProviderName"])
        for value in costs:
            writer.writerow([value, "USD", "2024-08-02T00:00:00Z", "AWS Lambda", "AWS"])
    return path


def test_status_of_a_fresh_data_dir_shows_the_bundled_sample(tmp_path: Path) -> None:
    result = invoke(tmp_path / "data", "status", "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["rows"] == 1000 and info["providers"] == ["AWS", "Microsoft", "Oracle"]
    assert {p["billing_period"] for p in info["periods"]} == {"2024-09", "2024-10"}


def test_ingest_then_status(tmp_path: Path) -> None:
    path = export(tmp_path / "aug.csv", ["1.50", "2.25"])
    result = invoke(tmp_path / "data", "ingest", str(path))
    assert result.exit_code == 0, result.output
    assert "Ingested 2 rows from 1 file(s) (focus)" in result.output
    again = invoke(tmp_path / "data", "ingest", "--json", str(path))
    assert json.loads(again.output)["replaced_rows"] == 2
    info = json.loads(invoke(tmp_path / "data", "status", "--json").output)
    assert info["rows"] == 2 and info["periods"] == [
        {"billing_period": "2024-08", "provider": "AWS", "rows": 2, "billed": "3.75", "currency": "USD"}
    ]
    assert info["last_ingest"] is not None
    text = invoke(tmp_path / "data", "status")
    assert "Billing periods" in text.output and "2024-08" in text.output


def test_bad_exports_fail_cleanly(tmp_path: Path) -> None:
    bad = export(tmp_path / "bad.csv", ["1", "one"])
    result = invoke(tmp_path / "data", "ingest", str(bad))
    assert result.exit_code == 4  # a malformed export
    assert "Bad BilledCost value 'one'" in result.output and "line 3" in result.output
    missing = invoke(tmp_path / "data", "ingest", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 3 and "not found" in missing.output  # no such export
