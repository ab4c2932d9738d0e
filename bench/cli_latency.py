"""Fresh-process latency of the `cloudpilot` command: the median of N separate processes per
command, as a person typing in a terminal gets it.

Each run is a new `python -m bot.main ...` process; wall time is measured around it, CPU time
(user + system) from the children's resource usage. Before measuring, one untimed run of each
command starts the data dir's sandbox (moto, left running as the CLI leaves it), seeds it and
creates the databases, so the runs measure the common path, not the first one. The rounds are
interleaved (every command once, then again) so a busy machine weighs on all commands alike.

Python's bytecode cache is allowed (PYTHONDONTWRITEBYTECODE unset) and kept in a temporary
PYTHONPYCACHEPREFIX, so the tree is not written to and the runs see warm caches as an installed
package does.

    .venv/bin/python bench/cli_latency.py                       # 10 runs per command
    .venv/bin/python bench/cli_latency.py --runs 5 --json
    git archive 49c87ca | tar -x -C /tmp/before                 # compare another checkout
    .venv/bin/python bench/cli_latency.py --compare /tmp/before # (same virtualenv), interleaved
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMMANDS: dict[str, list[str]] = {
    "--version": ["--version"],
    "ask: EC2 last month": ["--now", "2024-10-15", "ask", "how much did we spend on EC2 last month"],
    "ask: public buckets": ["ask", "are any buckets public?"],
    "approvals list": ["approvals", "list"],
}


@dataclass
class Timings:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    failed: int = 0
    error: str = ""


def run_once(tree: Path, env: dict[str, str], args: list[str]) -> tuple[float, float, int, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bot.main", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode, (proc.stderr.strip().splitlines() or [""])[-1]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10, help="Timed runs per command (default 10).")
    parser.add_argument("--tree", type=Path, default=ROOT, help="The checkout to run (default: this one).")
    parser.add_argument(
        "--compare", type=Path, default=None, help="Another checkout to run in the same rounds."
    )
    parser.add_argument("--only", action="append", default=[], help="Only the commands whose label has this.")
    parser.add_argument("--keep", action="store_true", help="Leave the data dir's sandbox running.")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    opts = parser.parse_args()

    trees = [opts.tree.resolve()] + ([opts.compare.resolve()] if opts.compare else [])
    commands = {k: v for k, v in COMMANDS.items() if not opts.only or any(o in k for o in opts.only)}
    work = Path(tempfile.mkdtemp(prefix="cloudpilot-cli-latency-"))
    envs = {tree: _env(tree, work / str(i)) for i, tree in enumerate(trees)}
    results = {(tree, label): Timings() for tree in trees for label in commands}
    load_before = os.getloadavg()
    try:
        for tree in trees:  # untimed: sandbox, seed, databases, bytecode cache
            for label, args in commands.items():
                _, _, code, last = run_once(tree, envs[tree], args)
                if code != 0:
                    results[tree, label].error = last
        for _ in range(opts.runs):
            for label, args in commands.items():
                for tree in trees:
                    timings = results[tree, label]
                    if timings.error:
                        continue
                    wall, cpu, code, _ = run_once(tree, envs[tree], args)
                    timings.wall.append(wall)
                    timings.cpu.append(cpu)
                    timings.failed += code != 0
    finally:
        # This checkout's sandbox belongs to the temporary data dir: stop it. Another tree's may be
        # shared (older checkouts used one sandbox on port 5055), so it is left as it was.
        if not opts.keep and ROOT in trees:
            subprocess.run(
                [sys.executable, "-m", "bot.main", "sandbox", "stop"],
                cwd=ROOT,
                env=envs[ROOT],
                capture_output=True,
                timeout=120,
            )
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()

    machine = {
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "load_before": round(load_before[0], 2),
        "load_after": round(load_after[0], 2),
        "trees": [str(t) for t in trees],
        "runs": opts.runs,
    }
    rows = {
        f"{label} [{tree}]" if len(trees) > 1 else label: {
            "median_s": round(statistics.median(t.wall), 3) if t.wall else None,
            "min_s": round(min(t.wall), 3) if t.wall else None,
            "max_s": round(max(t.wall), 3) if t.wall else None,
            "median_cpu_s": round(statistics.median(t.cpu), 3) if t.cpu else None,
            "failed": t.failed,
            "error": t.error,
        }
        for (tree, label), t in results.items()
    }
    if opts.json:
        print(json.dumps({"machine": machine, "commands": rows}, indent=2))
        return 0
    print(
        f"{machine['cpus']} CPUs ({machine['cpu']}), Python {machine['python']}, {opts.runs} runs per "
        f"command, load average {machine['load_before']} -> {machine['load_after']}"
    )
    print()
    print("| command | median wall (s) | min – max (s) | median CPU (s) |")
    print("|---|---:|---:|---:|")
    for label, r in rows.items():
        if r["median_s"] is None:
            print(f"| `{label}` | n/a ({str(r['error'])[:60]}) | | |")
            continue
        failed = f" ({r['failed']} failed)" if r["failed"] else ""
        print(
            f"| `{label}` | {r['median_s']:.2f}{failed} | {r['min_s']:.2f} – {r['max_s']:.2f} "
            f"| {r['median_cpu_s']:.2f} |"
        )
    return 0


def _env(tree: Path, work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDPILOT_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env | {
        "PYTHONPATH": str(tree),
        "PYTHONPYCACHEPREFIX": str(work / "pycache"),
        "CLOUDPILOT_DATA_DIR": str(work / "data"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
