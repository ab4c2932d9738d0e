"""Checkov in the IaC generation loop: what it costs per generation, and what it finds.

The catalogue's 47 requests (tests/tools/iac/request_set.py), each rendered by its template and
checked, in one process: once without checkov, once with it (the long-lived checkov process of
tools/iac/validate/checkov.py, from .venv-checks: scripts/setup_checks.sh). Prints the median and
max latency of each pass, the checkov start-up (the first file), and how many answers failed.

    python -m bench.iac_checkov
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    from config import load_settings
    from store import Store
    from tests.tools.iac.request_set import REQUESTS
    from tools.base import ToolContext
    from tools.iac.checks import IacEnv
    from tools.iac.pipeline import generate
    from tools.iac.validate.checkov import find_checks_python
    from tools.inventory.aws import AwsClients
    from tools.services import Services

    python = find_checks_python()
    if python is None:
        print("checkov is not installed: run scripts/setup_checks.sh", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="cloudpilot-iac-checkov-") as tmp:
        settings = load_settings(data_dir=Path(tmp), llm={"provider": "none"})
        store = Store(settings.sqlalchemy_url)
        base = IacEnv()
        base.warm_up()
        for label, checks_python in (("without checkov", None), ("with checkov", python)):
            env = IacEnv(cfn=base.cfn, k8s=base.k8s, checkov=checks_python)
            ctx = ToolContext(
                settings, settings.clock(), AwsClients(settings.aws), store, services=Services(iac_env=env)
            )
            times: list[float] = []
            failing = 0
            for case in REQUESTS:
                started = time.perf_counter()
                g = generate(ctx, case.request, template_id=case.template)
                times.append((time.perf_counter() - started) * 1000)
                failing += not g.report.ok
            worker = env.checkov_worker()
            if worker is not None:
                worker.close()
            print(
                f"{label}: median {statistics.median(times[1:]):.0f} ms, max {max(times[1:]):.0f} ms "
                f"(first request {times[0]:.0f} ms); failing {failing}/{len(REQUESTS)}"
            )
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
