"""Runbook question latency: in a warm process, and in a fresh process per question.

    python bench/kb_latency.py                  # N = 7 of each, bundled corpus
    python bench/kb_latency.py -n 11 --compare-torch --cli

What it measures (median and max of N, milliseconds), over the bundled corpus in a fresh
data folder:

- warm, knowledge base: `KnowledgeBase.search` + the cited answer (`compose`), in a process
  that has answered once already (model loaded, store open);
- warm, agent turn: `Agent.handle` of the question (offline planner, search_knowledge, the
  composed reply), same process;
- fresh process, knowledge base: a new Python process that opens the knowledge base, checks
  the bundled corpus against the store (nothing to re-index), answers and exits: wall time
  from start to exit, imports included;
- fresh process, `cloudpilot ask` (with --cli): the whole command, wall time (the sandbox
  account is started once beforehand and stopped at the end).

--compare-torch repeats the fresh-process measurements with the query embedded by
sentence-transformers (torch) instead of `knowledge.minilm`, as before that encoder existed.
Each question is different from the previous one (cycled from QUESTIONS), so nothing is
answered from a cache of the previous run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# --tree DIR measures another checkout (e.g. `git archive HEAD | tar -x -C DIR`) with the same
# virtualenv: its code is imported instead of this one's.
ROOT = Path(os.environ.get("KB_LATENCY_TREE") or Path(__file__).resolve().parent.parent)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Runbook questions as people ask them (the offline planner sends each to search_knowledge).
QUESTIONS = [
    "what is our runbook for a full disk?",
    "what is our runbook for rotating access keys?",
    "what is our runbook for rolling back an ECS deploy?",
    "what is our runbook for an expired TLS certificate?",
    "what is our runbook for Lambda throttling?",
    "what is our runbook for a public bucket finding?",
    "what is our runbook for SSH open to the world?",
    "what is our runbook for an unreachable EC2 instance?",
    "what does the runbook say about RDS backups?",
    "what does the runbook say about the on-call handover?",
]

# A fresh process: open, sync the bundled corpus (unchanged: hashes only), answer, exit.
FRESH = """
import sys, time
started = time.perf_counter()
{patch}
from config import load_settings
from knowledge import answer as quoting
from knowledge.base import KnowledgeBase
order = getattr(quoting, "by_relevance", list)
with KnowledgeBase(load_settings(data_dir=sys.argv[1])) as kb:
    kb.sync_defaults()
    answer = quoting.compose(sys.argv[2], order(kb.search(sys.argv[2]).hits))
assert answer.startswith("From the team's documents"), answer
print(round((time.perf_counter() - started) * 1000, 1))
"""
# Embed queries with sentence-transformers, as before the numpy encoder.
TORCH = "import knowledge.minilm as m; m.supports = lambda location: False"


def _machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values), 1),
        "max_ms": round(max(values), 1),
        "n": len(values),
    }


def warm(data_dir: Path, n: int) -> dict[str, Any]:
    from agent.messages import ChatMessage
    from agent.runtime import Runtime
    from agent.turn import Agent
    from config import load_settings
    from knowledge import answer as quoting
    from knowledge.base import KnowledgeBase

    compose = quoting.compose
    by_relevance = getattr(quoting, "by_relevance", list)
    settings = load_settings(data_dir=data_dir, aws={"endpoint_url": "http://127.0.0.1:9"})
    out: dict[str, Any] = {}
    with KnowledgeBase(settings) as kb:
        kb.sync_defaults()
        compose(QUESTIONS[0], by_relevance(kb.search(QUESTIONS[0]).hits))  # warm-up
        times = []
        for i in range(n):
            q = QUESTIONS[(i + 1) % len(QUESTIONS)]
            started = time.perf_counter()
            answer = compose(q, by_relevance(kb.search(q).hits))
            times.append((time.perf_counter() - started) * 1000)
            assert answer.startswith("From the team's documents"), (q, answer)
        out["warm_knowledge_base"] = _summary(times)
    runtime = Runtime.build(settings)
    try:
        agent = Agent(runtime)
        agent.handle(ChatMessage(user="alice", text=QUESTIONS[0], thread="bench-0"))  # warm-up
        times = []
        for i in range(n):
            q = QUESTIONS[(i + 1) % len(QUESTIONS)]
            started = time.perf_counter()
            reply = agent.handle(ChatMessage(user="alice", text=q, thread=f"bench-{i + 1}"))
            times.append((time.perf_counter() - started) * 1000)
            assert reply.citations, (q, reply.text)
        out["warm_agent_turn"] = _summary(times)
    finally:
        runtime.close()
    return out


def fresh(data_dir: Path, n: int, torch: bool) -> dict[str, float]:
    code = FRESH.format(patch=TORCH if torch else "")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for i in range(n):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code, str(data_dir), QUESTIONS[i % len(QUESTIONS)]],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        times.append((time.perf_counter() - started) * 1000)
    return _summary(times)


def fresh_cli(data_dir: Path, n: int, torch: bool) -> dict[str, float]:
    # `python -m bot.main` is what the `cloudpilot` script runs.
    command = [sys.executable, "-c", f"{TORCH}\nfrom bot.main import main\nmain()"] if torch else None
    command = command or [sys.executable, "-m", "bot.main"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for i in range(n):
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "--data-dir", str(data_dir), "ask", QUESTIONS[i % len(QUESTIONS)]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        times.append((time.perf_counter() - started) * 1000)
        assert done.returncode == 0 and "From the team's documents" in done.stdout, done.stdout + done.stderr
    return _summary(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=7, help="questions per measurement")
    parser.add_argument("--cli", action="store_true", help="also time `cloudpilot ask` in fresh processes")
    parser.add_argument(
        "--compare-torch", action="store_true", help="fresh processes with torch embeddings too"
    )
    parser.add_argument("--tree", type=Path, default=None, help="measure this checkout's code instead")
    args = parser.parse_args(argv)
    if args.tree is not None and os.environ.get("KB_LATENCY_TREE") != str(args.tree.resolve()):
        env = {**os.environ, "KB_LATENCY_TREE": str(args.tree.resolve())}
        return subprocess.run([sys.executable, __file__, *sys.argv[1:]], env=env, check=False).returncode
    result: dict[str, Any] = {
        "machine": _machine(),
        "command": " ".join(["python", *sys.argv]),
        "tree": str(ROOT),
    }
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        # Index the bundled corpus once (from the shipped vectors), as any first run does.
        subprocess.run(
            [sys.executable, "-c", FRESH.format(patch=""), str(data), QUESTIONS[0]],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        result.update(warm(data, args.n))
        result["fresh_knowledge_base"] = fresh(data, args.n, torch=False)
        if args.compare_torch:
            result["fresh_knowledge_base_torch"] = fresh(data, args.n, torch=True)
        if args.cli:
            cli = str(Path(sys.executable).with_name("cloudpilot"))
            try:
                # The first `ask` starts the sandbox account; not part of the figures.
                subprocess.run(
                    [cli, "--data-dir", str(data), "ask", QUESTIONS[0]], capture_output=True, timeout=600
                )
                result["fresh_cloudpilot_ask"] = fresh_cli(data, args.n, torch=False)
                if args.compare_torch:
                    result["fresh_cloudpilot_ask_torch"] = fresh_cli(data, args.n, torch=True)
            finally:
                subprocess.run(
                    [cli, "--data-dir", str(data), "sandbox", "stop"], capture_output=True, timeout=120
                )
    result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
