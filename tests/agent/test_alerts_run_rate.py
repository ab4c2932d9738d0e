"""A budget alert says how its month-end figure was made: a forecast, or the run rate when the
forecaster refused for short history (the bundled bill holds one month)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.alerts import evaluate_alert
from agent.runtime import Runtime
from config import load_settings


@pytest.fixture
def runtime(tmp_path: Path, fresh_moto: str) -> Iterator[Runtime]:
    settings = load_settings(
        data_dir=tmp_path / "data",
        now="2024-09-20",  # 19 days of September: too little history for a forecast
        aws={"mode": "sandbox", "endpoint_url": fresh_moto},
        alerts=[{"kind": "budget", "name": "tiny", "amount": "1", "channel": "C1", "thresholds": [100]}],
    )
    rt = Runtime.build(settings)
    yield rt
    rt.close()


def test_a_run_rate_projection_is_labelled_run_rate_not_forecast(runtime: Runtime) -> None:
    [alert] = runtime.settings.alerts
    result = evaluate_alert(runtime, alert)
    assert result.ok, result.note
    [projected] = [e for e in result.events if e.data["measure"] == "forecast"]
    assert "(run rate)" in projected.title
    assert "(forecast)" not in projected.title
