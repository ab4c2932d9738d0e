"""Checkov over several files, each on its own, in one process.

Never imported by CloudPilot: `tools.iac.validate.checkov` runs this file with the Python of the
checks environment (.venv-checks), where checkov is installed; checkov pins packages that conflict
with the project's own. Only the standard library and checkov are imported here.

Each file is scanned alone because checkov's graph checks join resources across all the files of
one run: scanned together, a NetworkPolicy in one file would satisfy CKV2_K8S_6 for the pods of
another. Starting checkov once per file costs about 1.5 s; this loop costs about 0.05 s a file.

Input (stdin): a JSON list of {"path": ..., "framework": "terraform"|"cloudformation"|"kubernetes"}.
Output (stdout): a JSON object, path -> {"failed": [...], "suppressed": [...], "error": str | null},
each check as {"check_id", "check_name", "resource"}.

With --serve it stays up for the generation loop: one such list per input line, one answer per
output line, until stdin closes (checkov is imported once, not per generated file).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any


def _runner(framework: str) -> Any:
    if framework == "terraform":
        from checkov.terraform.runner import Runner as TerraformRunner

        return TerraformRunner()
    if framework == "cloudformation":
        from checkov.cloudformation.runner import Runner as CloudFormationRunner

        return CloudFormationRunner()
    from checkov.kubernetes.runner import Runner as KubernetesRunner

    return KubernetesRunner()


def _brief(check: Any) -> dict[str, str]:
    return {
        "check_id": str(check.check_id),
        "check_name": str(check.check_name),
        "resource": str(check.resource),
    }


def scan(path: str, framework: str) -> dict[str, Any]:
    from checkov.runner_filter import RunnerFilter

    runner_filter = RunnerFilter(framework=[framework], show_progress_bar=False)
    result = _runner(framework).run(root_folder=None, files=[path], runner_filter=runner_filter)
    reports = result if isinstance(result, list) else [result]
    failed = [_brief(c) for r in reports for c in r.failed_checks]
    suppressed = [_brief(c) for r in reports for c in r.skipped_checks]
    errors = [str(e) for r in reports for e in (r.parsing_errors or [])]
    return {"failed": failed, "suppressed": suppressed, "error": "; ".join(errors) or None}


def answer(jobs: list[dict[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for job in jobs:
        try:
            out[job["path"]] = scan(job["path"], job["framework"])
        except Exception as exc:  # one file checkov cannot handle must not hide the others
            out[job["path"]] = {"failed": [], "suppressed": [], "error": f"{type(exc).__name__}: {exc}"}
    return out


def main() -> int:
    logging.disable(logging.WARNING)  # checkov logs parse details at WARNING; the JSON says it all
    # Only the answers go to stdout: anything checkov prints goes to stderr.
    out, sys.stdout = sys.stdout, sys.stderr
    if "--serve" not in sys.argv[1:]:
        json.dump(answer(json.load(sys.stdin)), out)
        return 0
    for framework in ("terraform", "cloudformation", "kubernetes"):
        _runner(framework)  # checkov's imports happen now, not during the first generation

    for line in sys.stdin:
        if line.strip():
            out.write(json.dumps(answer(json.loads(line))) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
