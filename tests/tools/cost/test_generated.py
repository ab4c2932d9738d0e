"""Generated FOCUS data: reproducible, exact against an independent reading, and the anomaly
detector finds what was planted in it (recall and false positives), with few false alarms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from config import Settings
from store import Store
from tests.tools.cost.reference import cents, in_days, load_rows, region_key, sums_by, tag_value, total
from tools.base import ToolContext, ToolStatus
from tools.cost.anomalies import DetectOptions, detect_series
from tools.cost.cost_anomalies import CostAnomalies
from tools.cost.cost_query import CostQuery
from tools.cost.datastore import CostStore
from tools.cost.generator.catalogue import BILLING_ACCOUNT_ID
from tools.cost.generator.rows import write
from tools.cost.generator.spec import DEMO_SPEC, GeneratorSpec
from tools.cost.generator.usage import plan
from tools.cost.query import CostFilter, daily_by
from tools.inventory.aws import AwsClients

SMALL = GeneratorSpec(
    seed=11, start=date(2024, 6, 1), end=date(2024, 8, 1), resources_per_account=6, anomalies=2
)


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b, c = plan(SMALL), plan(SMALL), plan(GeneratorSpec(**{**SMALL.__dict__, "seed": 12}))
    assert (a.quantity == b.quantity).all() and a.anomalies == b.anomalies
    assert a.quantity.shape != c.quantity.shape or not (a.quantity == c.quantity).all()
    assert SMALL.fingerprint() == GeneratorSpec(**SMALL.__dict__).fingerprint() != DEMO_SPEC.fingerprint()


def test_generated_csv_figures_match_an_independent_reading(
    tmp_path: Path, make_ctx: Callable[..., ToolContext]
) -> None:
    path = tmp_path / "gen.csv"
    write(SMALL, path, fmt="csv")
    rows = in_days(load_rows(path), date(2024, 7, 1), date(2024, 7, 31))
    ctx = make_ctx(focus_paths=[path])
    tool = CostQuery()

    def run(**args: object) -> dict[str, Decimal]:
        result = tool.run(ctx, tool.parse({"period": "2024-07", "top": 500, "chart": False, **args}))
        assert result.status == ToolStatus.OK, result.message
        return {g.key: g.cost for g in result.groups}

    assert tool.run(ctx, tool.parse({"period": "2024-07", "chart": False})).total == cents(total(rows))
    expected = {
        "service": sums_by(rows, lambda r: r.get("ServiceName") or ""),
        "region": sums_by(rows, region_key),
        "account": sums_by(rows, lambda r: r.get("SubAccountName") or ""),
        "tag:team": sums_by(rows, lambda r: tag_value(r, "team") or "(untagged)"),
    }
    for group_by, sums in expected.items():
        assert run(group_by=group_by) == {k: cents(v) for k, v in sums.items()}, group_by
    assert {r.get("BillingAccountId") for r in rows} == {BILLING_ACCOUNT_ID}


def test_planted_anomalies_are_found(demo_store: CostStore) -> None:
    """Recall over every planted anomaly of the demo data, and the false positives around them."""
    planted = plan(DEMO_SPEC).anomalies
    scan_start = DEMO_SPEC.start + timedelta(days=35)
    flt = CostFilter(start=DEMO_SPEC.start, end=DEMO_SPEC.end, usage_only=True)
    per_service = daily_by(demo_store, flt, "service")
    events = []
    for key, values in per_service.items():
        floats = {d: float(v) for d, v in values.items()}
        events += detect_series(key, floats, scan_start, DEMO_SPEC.end, DetectOptions(min_impact=6.0))

    def hits(anomaly: object) -> bool:
        return any(
            e.key == anomaly.service and e.start <= anomaly.end and e.end >= anomaly.start  # type: ignore[attr-defined]
            for e in events
        )

    found = [a for a in planted if hits(a)]
    false_positives = [
        e
        for e in events
        if not any(e.key == a.service and e.start <= a.end and e.end >= a.start for a in planted)
    ]
    assert len(planted) == 5
    assert len(found) == len(planted)  # recall 100%
    assert len(false_positives) <= 1


def test_anomaly_tool_explains_the_latest_spike(demo_store: CostStore, cost_ctx: ToolContext) -> None:
    cost_ctx.services.cost_store = demo_store
    tool = CostAnomalies()
    result = tool.run(cost_ctx, tool.parse({"chart": False}))
    assert result.status == ToolStatus.OK
    latest = plan(DEMO_SPEC).anomalies[-1]
    match = next(a for a in result.anomalies if a.start == latest.start)
    assert match.key == latest.service and match.impact > 0
    assert match.drivers[0].resource_id == latest.resource_id
    assert match.drivers[0].usage_type == latest.usage_type
    assert match.severity in ("medium", "high", "critical")
    assert result.message.startswith("Found ") and latest.resource_id in result.message
    by_account = tool.run(cost_ctx, tool.parse({"group_by": "account", "chart": False}))
    assert latest.account_name in {a.key for a in by_account.anomalies}


def test_weekends_are_not_anomalies(demo_store: CostStore, cost_ctx: ToolContext) -> None:
    cost_ctx.services.cost_store = demo_store
    tool = CostAnomalies()
    # 2024-06: no anomaly planted, quiet weekends and busy Mondays throughout.
    result = tool.run(cost_ctx, tool.parse({"period": "2024-06", "chart": False, "sensitivity": "high"}))
    assert result.status == ToolStatus.OK
    assert len(result.anomalies) <= 1


class DemoSettings(Settings):
    """The field the lead adds to Settings; declared here so the test can turn it on."""

    cost_demo_history: bool = True


def test_demo_history_joins_the_sample_in_its_own_billing_account(tmp_path: Path) -> None:
    settings = DemoSettings(data_dir=tmp_path / "data", now="2024-10-15")
    store = Store(settings.sqlalchemy_url)
    ctx = ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)
    tool = CostQuery()
    sample_only = tool.run(ctx, tool.parse({"service": "EC2", "account": "SunBird", "chart": False}))
    assert sample_only.total == Decimal("16.04")
    everything = tool.run(ctx, tool.parse({"service": "EC2", "chart": False}))
    assert everything.total > Decimal("10000")
    months = tool.run(
        ctx, tool.parse({"period": "2024-04-01..2024-10-14", "group_by": "month", "chart": False})
    )
    assert [g.key for g in months.groups] == [
        "2024-04",
        "2024-05",
        "2024-06",
        "2024-07",
        "2024-08",
        "2024-09",
        "2024-10",
    ]
    store.close()
