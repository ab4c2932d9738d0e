"""Cost benchmark: generate FOCUS data, ingest it into a file store, time cost_query.

    python bench/cost_bench.py --rows 1000000 --format parquet --queries 30

Generated files and the store go under --workdir (default /tmp/cloudpilot-bench), which is
removed afterwards unless --keep. Prints one JSON line per size with ingestion rows/s, query
latency p50/p95 and the peak memory (ru_maxrss) of the process that ingests and queries (the
data is generated in a child process).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import resource
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.cost.datastore import CostStore  # noqa: E402
from tools.cost.exports import discover  # noqa: E402
from tools.cost.generator.rows import write  # noqa: E402
from tools.cost.generator.spec import GeneratorSpec  # noqa: E402
from tools.cost.query import CostFilter, grouped, totals  # noqa: E402
from tools.cost.writer import ingest_files, write_file_store  # noqa: E402

START = date(2024, 1, 1)
END = date(2024, 10, 1)  # 274 days


def spec_for(rows: int) -> GeneratorSpec:
    """Hourly rows (24 a day) from enough resources to reach about `rows` rows."""
    days = (END - START).days
    per_account = max(1, round(rows / (24 * days * 8)))
    return GeneratorSpec(seed=42, start=START, end=END, resources_per_account=per_account, rows_per_day=24)


def _generate(spec: GeneratorSpec, path: Path, fmt: str) -> None:
    write(spec, path, fmt=fmt)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(rows: int, fmt: str, queries: int, workdir: Path) -> dict[str, object]:
    spec = spec_for(rows)
    export = workdir / f"focus-{rows}.{fmt}"
    t0 = time.perf_counter()
    # Generated in a child process, so that this process's peak memory is ingestion and queries.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(_generate, spec, export, fmt).result()
    gen_s = time.perf_counter() - t0
    db = workdir / f"store-{rows}.duckdb"
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with write_file_store(db) as writer:
        report = ingest_files(
            writer, discover([export]), origin="manual", source=str(export), now=datetime.now(UTC)
        )
    ingest_s = time.perf_counter() - t0
    store_mb = db.stat().st_size / 1e6
    # The same export again: every period is replaced (delete, insert, copy-on-write of the file).
    t0 = time.perf_counter()
    with write_file_store(db) as writer:
        again = ingest_files(
            writer, discover([export]), origin="manual", source=str(export), now=datetime.now(UTC)
        )
    reingest_s = time.perf_counter() - t0
    assert again.replaced_rows == report.rows, (again.replaced_rows, report.rows)
    store = CostStore.open(db)
    month = CostFilter(start=date(2024, 9, 1), end=date(2024, 10, 1))
    everything = CostFilter(start=START, end=END)
    shapes: dict[str, Callable[[], object]] = {
        "month_by_service": lambda: grouped(store, month, "service"),
        "month_by_account": lambda: grouped(store, month, "account"),
        "all_by_month": lambda: grouped(store, everything, "month"),
        "month_total_ec2": lambda: totals(
            store,
            CostFilter(start=month.start, end=month.end, service_names=("Amazon Elastic Compute Cloud",)),
        ),
        "month_by_tag_team": lambda: grouped(store, month, "tag:team"),
    }
    latencies: dict[str, dict[str, float]] = {}
    for name, fn in shapes.items():
        fn()  # warm the connection's caches once, as a running bot would have them
        samples = []
        for _ in range(queries):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        samples.sort()
        latencies[name] = {
            "p50_ms": round(statistics.median(samples) * 1000, 1),
            "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))] * 1000, 1),
        }
    # A fresh process-like open: connection opened for the query.
    cold = []
    for _ in range(5):
        store.close()
        store = CostStore.open(db)
        t0 = time.perf_counter()
        grouped(store, month, "service")
        cold.append(time.perf_counter() - t0)
    store.close()
    return {
        "rows": report.rows,
        "format": fmt,
        "export_mb": round(export.stat().st_size / 1e6, 1),
        "store_mb": round(store_mb, 1),
        # DuckDB keeps deleted rows' blocks for reuse rather than shrinking the file.
        "store_mb_after_reingest": round(db.stat().st_size / 1e6, 1),
        "generate_s": round(gen_s, 1),
        "ingest_s": round(ingest_s, 1),
        "ingest_rows_per_s": round(report.rows / ingest_s),
        "reingest_s": round(reingest_s, 1),
        "query_latency": latencies,
        "month_by_service_after_open_ms_median": round(statistics.median(cold) * 1000, 1),
        "peak_rss_mb": round(peak_mb()),
        "machine": f"{platform.machine()} {platform.processor() or ''} {_cores()} cores".strip(),
        "python": platform.python_version(),
        "days": (END - START).days,
    }


def evaluate(seeds: list[int]) -> dict[str, object]:
    """Anomaly recall and false positives on planted data, and the forecaster's backtest error."""
    from datetime import timedelta

    from tools.cost.anomalies import DetectOptions, detect_series
    from tools.cost.datastore import memory_store
    from tools.cost.defaults import generated_source
    from tools.cost.generator.spec import DEMO_SPEC
    from tools.cost.generator.usage import plan
    from tools.cost.query import daily_by
    from tools.cost.timeseries import backtest, dense

    planted_total = found_total = false_positives = 0
    errors: list[float] = []
    for seed in seeds:
        spec = GeneratorSpec(**{**DEMO_SPEC.__dict__, "seed": seed})
        store = memory_store([generated_source(spec)])
        flt = CostFilter(start=spec.start, end=spec.end, usage_only=True)
        planted = plan(spec).anomalies
        events = []
        for key, values in daily_by(store, flt, "service").items():
            floats = {d: float(v) for d, v in values.items()}
            events += detect_series(
                key, floats, spec.start + timedelta(days=35), spec.end, DetectOptions(min_impact=6)
            )
        overlap = [
            (a, e)
            for a in planted
            for e in events
            if e.key == a.service and e.start <= a.end and e.end >= a.start
        ]
        planted_total += len(planted)
        found_total += len({id(a) for a, _ in overlap})
        false_positives += len([e for e in events if all(e is not x for _, x in overlap)])
        total = {d: float(v) for d, v in daily_by(store, flt, None)["Total"].items()}
        days = [spec.start + timedelta(days=i) for i in range(spec.days)]
        test = backtest(dense(total, spec.start, spec.end), days, 17)
        if test.total_mape is not None:
            errors.append(test.total_mape)
        store.close()
    return {
        "seeds": seeds,
        "planted": planted_total,
        "found": found_total,
        "recall": round(found_total / planted_total, 3) if planted_total else None,
        "false_positives": false_positives,
        "forecast_17_day_total_mape": round(statistics.mean(errors), 4) if errors else None,
    }


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--format", choices=["parquet", "csv", "csv.gz"], default="parquet")
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cloudpilot-bench"))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--evaluate",
        type=int,
        nargs="*",
        metavar="SEED",
        help="Instead: score anomaly detection and forecasting on generated data for these seeds",
    )
    args = parser.parse_args()
    if args.evaluate is not None:
        print(json.dumps(evaluate(args.evaluate or [7, 8, 9, 10, 11])), flush=True)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    try:
        for rows in args.rows:
            print(json.dumps(run(rows, args.format, args.queries, args.workdir)), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
