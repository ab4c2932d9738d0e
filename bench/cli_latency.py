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

`--daemon` also runs `ask` through the warm agent process (bot/daemon/, `cli.daemon = "on"`),
interleaved with the same commands in their own process (`--no-daemon`): every run is still a new
`cloudpilot` process. The agent's first command after it was stopped (it starts the agent) is
timed separately, `--cold` times. `--snapshot` runs a copy of the tree, so that edits made to the
checkout meanwhile (which change the agent's code fingerprint and restart it) do not count.

    .venv/bin/python bench/cli_latency.py                       # 10 runs per command
    .venv/bin/python bench/cli_latency.py --runs 5 --json
    .venv/bin/python bench/cli_latency.py --daemon --snapshot --runs 15 --only ask
    git archive 49c87ca | tar -x -C /tmp/before                 # compare another checkout
    .venv/bin/python bench/cli_latency.py --compare /tmp/before # (same virtualenv), interleaved
"""

from __future__ import annotations

import argparse
import json
import math
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
    "ask: runbook": ["ask", "what is our runbook for a full disk?"],
    "approvals list": ["approvals", "list"],
}


@dataclass
class Timings:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    failed: int = 0
    error: str = ""


# Commands the agent process answers (bot/daemon/locate.py FORWARDED).
FORWARDED = ("ask", "scan", "chat")
AGENT = " [agent process]"


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
    parser.add_argument("--daemon", action="store_true", help="Also run `ask` through the agent process.")
    parser.add_argument("--cold", type=int, default=3, help="With --daemon: first commands of a new agent.")
    parser.add_argument("--snapshot", action="store_true", help="Run a copy of the tree (see above).")
    opts = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cloudpilot-cli-latency-"))
    tree = opts.tree.resolve()
    if opts.snapshot:
        tree = _snapshot(tree, work / "tree")
    trees = [tree] + ([opts.compare.resolve()] if opts.compare else [])
    commands = {k: v for k, v in COMMANDS.items() if not opts.only or any(o in k for o in opts.only)}
    if opts.daemon:
        commands |= {k + AGENT: v for k, v in commands.items() if _forwarded(v)}
    envs = {tree: _env(tree, work / str(i)) for i, tree in enumerate(trees)}
    results = {(tree, label): Timings() for tree in trees for label in commands}
    cold: list[float] = []
    load_before = os.getloadavg()
    try:
        for tree in trees:  # untimed: sandbox, seed, databases, bytecode cache, the agent process
            for label, args in commands.items():
                _, _, code, last = run_once(tree, _mode(envs[tree], label), args)
                if code != 0:
                    results[tree, label].error = last
        if opts.daemon:
            first = next((v for k, v in commands.items() if k.endswith(AGENT)), None)
            for _ in range(opts.cold if first else 0):
                _stop_agent(tree, envs[tree])
                wall, _, _, _ = run_once(tree, _mode(envs[tree], AGENT), first or [])
                cold.append(wall)
        for _ in range(opts.runs):
            for label, args in commands.items():
                for tree in trees:
                    timings = results[tree, label]
                    if timings.error:
                        continue
                    wall, cpu, code, _ = run_once(tree, _mode(envs[tree], label), args)
                    timings.wall.append(wall)
                    timings.cpu.append(cpu)
                    timings.failed += code != 0
    finally:
        if opts.daemon:
            _stop_agent(tree, envs[tree])
        # This checkout's sandbox belongs to the temporary data dir: stop it. Another tree's may be
        # shared (older checkouts used one sandbox on port 5055), so it is left as it was.
        if not opts.keep and trees[0] in (ROOT, tree):
            subprocess.run(
                [sys.executable, "-m", "bot.main", "sandbox", "stop"],
                cwd=tree,
                env=envs[tree],
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
            "p90_s": round(_p90(t.wall), 3) if t.wall else None,
            "median_cpu_s": round(statistics.median(t.cpu), 3) if t.cpu else None,
            "failed": t.failed,
            "error": t.error,
        }
        for (tree, label), t in results.items()
    }
    first_commands = None
    if cold:
        median = round(statistics.median(cold), 3)
        first_commands = {"runs_s": [round(w, 3) for w in cold], "median_s": median}
    if opts.json:
        out = {"machine": machine, "commands": rows, "agent_first_command": first_commands}
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"{machine['cpus']} CPUs ({machine['cpu']}), Python {machine['python']}, {opts.runs} runs per "
        f"command, load average {machine['load_before']} -> {machine['load_after']}"
    )
    print()
    print("| command | median wall (s) | p90 (s) | min – max (s) | median CPU (s) |")
    print("|---|---:|---:|---:|---:|")
    for label, r in rows.items():
        if r["median_s"] is None:
            print(f"| `{label}` | n/a ({str(r['error'])[:60]}) | | | |")
            continue
        failed = f" ({r['failed']} failed)" if r["failed"] else ""
        print(
            f"| `{label}` | {r['median_s']:.2f}{failed} | {r['p90_s']:.2f} "
            f"| {r['min_s']:.2f} – {r['max_s']:.2f} | {r['median_cpu_s']:.2f} |"
        )
    if first_commands:
        runs = ", ".join(f"{w:.2f}" for w in cold)
        print(f"\nFirst command of a new agent process (it starts the agent): {runs} s")
    return 0


def _forwarded(args: list[str]) -> bool:
    words = [a for a in args if not a.startswith("-")]
    return any(a in FORWARDED for a in args) and bool(words)


def _mode(env: dict[str, str], label: str) -> dict[str, str]:
    return env | {"CLOUDPILOT_CLI__DAEMON": "on" if label.endswith(AGENT) else "off"}


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _stop_agent(tree: Path, env: dict[str, str]) -> None:
    """Stop the data dir's agent process and wait until it is gone."""
    record = Path(env["CLOUDPILOT_DATA_DIR"]) / "agent.json"
    pid = json.loads(record.read_text())["pid"] if record.exists() else None
    stop = [sys.executable, "-m", "bot.main", "agent", "stop"]
    subprocess.run(stop, cwd=tree, env=env, capture_output=True, timeout=120)
    for _ in range(600):
        if pid is None or not Path(f"/proc/{pid}").exists():
            return
        time.sleep(0.1)


def _snapshot(tree: Path, target: Path) -> Path:
    """A copy of the checkout's files as they are now (tracked and untracked, not ignored)."""
    names = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=tree,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, names):
        source = tree / os.fsdecode(name)
        if source.is_file():
            (target / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / os.fsdecode(name))
    return target


def _env(tree: Path, work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDPILOT_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env | {
        "PWD": str(tree),
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
