"""IaC generation benchmarks.

Default: the engineers' request set (bench/iac_requests.yaml, 132 requests unlike the catalogue's
own 47), offline. Each request is planned by the offline planner (routed?), generated, and the
code is checked by the independent tools from .venv-checks (scripts/setup_checks.sh) when they
are installed: python-hcl2, cfn-lint, kubernetes-validate and checkov (high-signal failures, i.e.
not in tools/iac/checkov_signal.ADVISORY). A request passes when it is routed, in the expected
format, valid, checkov-clean, and every resource kind and explicit value it names is in the code
with no "I did not apply" line. Requests for what cannot be built, for unsupported formats or for
something insecure pass only with an explicit refusal or a "Changed from your request" note.

    python -m bench.iac_eval                     # the engineers' set, offline
    python -m bench.iac_eval --json out.json     # also the per-request outcomes
    python -m bench.iac_eval --catalogue         # the catalogue's own 47 (tests/tools/iac/request_set.py)

The catalogue set (pass rate and latency):

A request passes when generate_iac returns code that parsed, validated and passed the security
rules, in the expected format; offline (catalogue) it must also pick the expected template and
read the stated parameters. Latency is per request, after a warm-up request that loads the
validators (reported separately as the cold start).

    python -m bench.iac_eval --catalogue                 # the catalogue, offline
    python -m bench.iac_eval --catalogue --llm           # the LLM configured in CLOUDPILOT_LLM__*
    python -m bench.iac_eval --catalogue --json out.json --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Outcome:
    request: str
    passed: bool
    status: str
    template: str | None
    format: str | None
    latency_ms: float
    attempts: int
    problem: str = ""


def _context(llm: bool, data_dir: Path) -> Any:
    from config import load_settings
    from store import Store
    from tools.base import ToolContext
    from tools.inventory.aws import AwsClients

    overrides: dict[str, Any] = {} if llm else {"llm": {"provider": "none"}}
    settings = load_settings(data_dir=data_dir, **overrides)
    if llm and settings.llm.provider == "none":
        raise SystemExit("--llm needs an LLM configured (CLOUDPILOT_LLM__PROVIDER=openai|ollama ...)")
    return ToolContext(settings, settings.clock(), AwsClients(settings.aws), Store(settings.sqlalchemy_url))


def _judge(case: Any, result: Any, llm: bool) -> str:
    """Why the result fails the case ('' when it passes)."""
    if result.status != "ok" or not result.passed:
        return "; ".join(result.errors[:3]) or result.message[:200]
    if result.format != case.format:
        return f"format {result.format}, expected {case.format}"
    if llm:
        return ""
    if result.template != case.template:
        return f"template {result.template}, expected {case.template}"
    wrong = {k: result.params.get(k) for k, v in case.params.items() if result.params.get(k) != v}
    return f"parameters {wrong}" if wrong else ""


def run(llm: bool, repeat: int) -> tuple[list[Outcome], float]:
    from tests.tools.iac.request_set import REQUESTS
    from tools.base import UserFacingError
    from tools.iac.generate_iac import GenerateIac

    tool = GenerateIac()
    with tempfile.TemporaryDirectory(prefix="cloudpilot-iac-bench-") as tmp:
        ctx = _context(llm, Path(tmp))
        started = time.perf_counter()
        tool.run(
            ctx,
            tool.parse(
                {"request": "write Terraform for a private S3 bucket", "template": "s3_private_bucket"}
            ),
        )
        tool.run(
            ctx,
            tool.parse({"request": "an SQS queue", "template": "sqs_with_dlq", "format": "cloudformation"}),
        )
        cold_ms = (time.perf_counter() - started) * 1000
        outcomes: list[Outcome] = []
        for _ in range(repeat):
            for case in REQUESTS:
                t0 = time.perf_counter()
                try:
                    result = tool.run(ctx, tool.parse({"request": case.request}))
                    problem = _judge(case, result, llm)
                    outcome = Outcome(
                        case.request,
                        not problem,
                        result.status,
                        result.template,
                        result.format,
                        0.0,
                        result.attempts,
                        problem,
                    )
                except UserFacingError as exc:
                    outcome = Outcome(case.request, False, "error", None, None, 0.0, 0, str(exc))
                outcome.latency_ms = (time.perf_counter() - t0) * 1000
                outcomes.append(outcome)
        ctx.store.close()
    return outcomes, cold_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--catalogue", action="store_true", help="the catalogue's own 47 requests")
    parser.add_argument("--llm", action="store_true", help="use the configured LLM instead of the catalogue")
    parser.add_argument("--repeat", type=int, default=1, help="run the set this many times (latency samples)")
    parser.add_argument("--json", type=Path, help="also write the outcomes to this file")
    parser.add_argument("--cases", type=Path, default=None, help="another request set (YAML)")
    parser.add_argument(
        "--round", type=int, default=None, help="only the cases under the file's '# --- Round N' marker"
    )
    args = parser.parse_args(argv)
    if not args.catalogue:
        from bench.iac_engineers import run_engineers

        return run_engineers(args.cases, args.json, args.round)

    outcomes, cold_ms = run(args.llm, max(1, args.repeat))
    latencies = sorted(o.latency_ms for o in outcomes)
    passed = sum(o.passed for o in outcomes)
    rate = passed / len(outcomes)
    p90 = latencies[min(len(latencies) - 1, int(0.9 * len(latencies)))]
    summary: dict[str, Any] = {
        "mode": "llm" if args.llm else "catalogue (offline)",
        "requests": len(outcomes),
        "passed": passed,
        "pass_rate": round(rate, 4),
        "median_ms": round(statistics.median(latencies), 1),
        "p90_ms": round(p90, 1),
        "max_ms": round(latencies[-1], 1),
        "cold_start_ms": round(cold_ms, 1),
        "median_ms_by_format": {
            fmt: round(statistics.median(o.latency_ms for o in outcomes if o.format == fmt), 1)
            for fmt in sorted({o.format for o in outcomes if o.format})
        },
    }
    for o in outcomes:
        if not o.passed:
            print(f"FAIL  {o.request}\n      {o.problem}", file=sys.stderr)
    print(
        f"IaC eval ({summary['mode']}): {passed}/{len(outcomes)} passed ({rate:.1%}); "
        f"median {summary['median_ms']} ms, p90 {summary['p90_ms']} ms, max {summary['max_ms']} ms; "
        f"cold start (validators loading) {summary['cold_start_ms']} ms"
    )
    by_format = ", ".join(f"{fmt} {ms} ms" for fmt, ms in summary["median_ms_by_format"].items())
    print(f"median by format: {by_format}")
    if args.json:
        args.json.write_text(
            json.dumps({"summary": summary, "outcomes": [asdict(o) for o in outcomes]}, indent=2)
        )
    return 0 if passed == len(outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
