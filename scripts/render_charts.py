"""Render every chart type on the demo history and on the bundled FOCUS sample, into docs/charts/.

    .venv/bin/python scripts/render_charts.py [--out docs/charts] [--only sample|demo]

The charts come from the tools themselves (cost_query, cost_anomalies, cost_forecast,
savings_opportunities), with the clock pinned to 2024-10-15 as in the README, so what is drawn
here is what a user is shown. Savings need an AWS account: a private in-process moto server,
seeded with the sandbox's savings resources, stands in (never the shared sandbox on port 5055).
Each PNG is named <data>-<chart>.png; run it again after changing the charts and look at them.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Seeding moto with its thousands of public AMIs only slows the savings run down.
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

from config import Settings, load_settings  # noqa: E402
from store import Store  # noqa: E402
from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult  # noqa: E402
from tools.cost import BUNDLED_SAMPLE, CostStore  # noqa: E402
from tools.cost.cost_anomalies import CostAnomalies  # noqa: E402
from tools.cost.cost_forecast import CostForecast  # noqa: E402
from tools.cost.cost_query import CostQuery  # noqa: E402
from tools.cost.datastore import memory_store  # noqa: E402
from tools.cost.defaults import default_sources  # noqa: E402
from tools.inventory.aws import AwsClients  # noqa: E402
from tools.savings.savings_opportunities import SavingsOpportunities  # noqa: E402

NOW = "2024-10-15"

# (file name, tool, arguments) per data set: each chart type at least once. Where an answer has
# two charts (a breakdown and the spend per day by group), the last one is kept: the first is
# the breakdown drawn on its own above.
Spec = tuple[str, type[ReadOnlyTool[Any, Any]], dict[str, Any]]
SAMPLE_CHARTS: list[Spec] = [
    ("breakdown-service", CostQuery, {"group_by": "service"}),
    ("breakdown-region", CostQuery, {"group_by": "region"}),
    ("breakdown-account", CostQuery, {"group_by": "account"}),
    # The sample holds one month: compare its second half with its first.
    (
        "comparison-service",
        CostQuery,
        {
            "period": "2024-09-16..2024-09-30",
            "group_by": "service",
            "compare_to": "previous_period",
            "top": 8,
        },
    ),
    ("trend-daily", CostQuery, {"group_by": "day"}),
    ("trend-daily-by-service", CostQuery, {"granularity": "daily", "group_by": "service"}),
    ("anomalies", CostAnomalies, {}),
    ("forecast-month-end", CostForecast, {}),
    ("forecast-next-month", CostForecast, {"target": "next_month"}),
]
DEMO_CHARTS: list[Spec] = [
    ("breakdown-service", CostQuery, {"group_by": "service"}),
    ("breakdown-region", CostQuery, {"group_by": "region"}),
    ("breakdown-account", CostQuery, {"group_by": "account"}),
    ("comparison-service", CostQuery, {"group_by": "service", "compare_to": "previous_period", "top": 8}),
    ("trend-daily", CostQuery, {"group_by": "day"}),
    (
        "trend-monthly-by-service",
        CostQuery,
        {"period": "2024-04-01..2024-09-30", "granularity": "monthly", "group_by": "service"},
    ),
    ("trend-daily-by-service", CostQuery, {"granularity": "daily", "group_by": "service"}),
    ("anomalies", CostAnomalies, {}),
    ("anomalies-by-account", CostAnomalies, {"period": "last_90_days", "group_by": "account"}),
    ("forecast-month-end", CostForecast, {}),
    ("forecast-next-month-by-service", CostForecast, {"target": "next_month", "group_by": "service"}),
]


def _context(settings: Settings, store: CostStore, sql: Store) -> ToolContext:
    ctx = ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=sql)
    ctx.services.cost_store = store
    return ctx


def _run(tool_class: type[ReadOnlyTool[Any, Any]], ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    tool = tool_class()
    parsed: ToolInput = tool.parse({"chart": True, **args})
    result: ToolResult = tool.run(ctx, parsed)
    return result


@contextmanager
def _moto(settings_for: Callable[[str], Settings]) -> Iterator[Settings]:
    """A private moto server seeded with the savings resources; settings pointing at it."""
    from moto.server import ThreadedMotoServer

    from sandbox.seed_savings import seed_savings

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
        settings = settings_for(endpoint)
        seed_savings(AwsClients(settings.aws))
        yield settings
    finally:
        server.stop()


def render(out: Path, only: str | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    stores: dict[str, Callable[[], CostStore]] = {
        "sample": lambda: CostStore.from_paths([BUNDLED_SAMPLE]),
        # What `cloudpilot demo` loads: the sample and the generated history beside it.
        "demo": lambda: memory_store(default_sources(load_settings(cost_demo_history=True))),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in stores.items():
            if only and name != only:
                continue
            store = make()

            def settings_for(endpoint: str | None, data: str = name) -> Settings:
                aws: dict[str, Any] = {"mode": "sandbox", "regions": ["us-east-1", "eu-west-1"]}
                if endpoint:
                    aws["endpoint_url"] = endpoint
                return load_settings(data_dir=Path(tmp) / data, now=NOW, aws=aws)

            settings = settings_for(None)
            sql = Store(settings.sqlalchemy_url)
            ctx = _context(settings, store, sql)
            for chart_name, tool_class, args in SAMPLE_CHARTS if name == "sample" else DEMO_CHARTS:
                written += _save(out, f"{name}-{chart_name}", _run(tool_class, ctx, args))
            sql.close()
            with _moto(settings_for) as moto_settings:
                sql = Store(moto_settings.sqlalchemy_url)
                ctx = _context(moto_settings, store, sql)
                written += _save(out, f"{name}-savings", _run(SavingsOpportunities, ctx, {}))
                sql.close()
            store.close()
    return written


def _save(out: Path, stem: str, result: ToolResult) -> list[Path]:
    if not result.charts:
        print(f"{stem}: no chart ({result.status}): {result.message}")
        return []
    chart = result.charts[-1]
    target = out / f"{stem}.png"
    shutil.copyfile(chart.path, target)
    print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: {chart.title}")
    return [target]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "charts")
    parser.add_argument("--only", choices=["sample", "demo"])
    args = parser.parse_args()
    render(args.out, args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
