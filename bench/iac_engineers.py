"""The engineers' request set (bench/iac_requests.yaml) through the planner, the tool and the
independent checkers. Run through `python -m bench.iac_eval`; see its docstring."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / ".venv-checks" / "bin"
CASES = Path(__file__).with_name("iac_requests.yaml")
FILES = {"terraform": "main.tf", "cloudformation": "template.yaml", "kubernetes": "k8s.yaml"}


@dataclass
class Case:
    r: str
    f: str | None = None
    k: list[str] = field(default_factory=list)
    v: list[str] = field(default_factory=list)
    expect: str = "code"
    # expect "partial": what the answer's "I did not apply" line must name (the part not built).
    n: list[str] = field(default_factory=list)


@dataclass
class Result:
    request: str
    expect: str
    routed: bool = False
    format_right: bool = False
    valid: bool = False
    checkov_clean: bool = False
    honoured: bool = False
    answered: bool = False  # cannot/unsupported/changed cases: the explicit answer came
    passed: bool = False
    problems: list[str] = field(default_factory=list)
    ms: float = 0.0


def _context(data_dir: Path) -> Any:
    from config import load_settings
    from store import Store
    from tools.base import ToolContext
    from tools.iac.checks import IacEnv
    from tools.inventory.aws import AwsClients
    from tools.services import Services

    settings = load_settings(data_dir=data_dir, llm={"provider": "none"})
    env = IacEnv()  # checkov runs once over every file below, not per request
    return ToolContext(
        settings,
        settings.clock(),
        AwsClients(settings.aws),
        Store(settings.sqlalchemy_url),
        services=Services(iac_env=env),
    )


def _routed(text: str) -> bool:
    from datetime import UTC, datetime

    from agent.guard import tool_specs
    from agent.planner import OfflinePlanner
    from tools.registry import TOOLS

    decision = OfflinePlanner().plan(text, [], tool_specs(TOOLS), datetime(2024, 10, 15, tzinfo=UTC))
    return [c.name for c in decision.calls] == ["generate_iac"]


def _run(cmd: list[str], timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def independent_checks(
    files: dict[int, Path],
) -> tuple[dict[int, list[str]], dict[int, list[str]], list[str]]:
    """(invalid: index -> errors, checkov high-signal: index -> failed ids, tools that ran)."""

    invalid: dict[int, list[str]] = {}
    failed: dict[int, list[str]] = {}
    ran: list[str] = []
    python = CHECKS / "python"
    tf = {i: p for i, p in files.items() if p.name == "main.tf"}
    cfn = {i: p for i, p in files.items() if p.name == "template.yaml"}
    k8s = {i: p for i, p in files.items() if p.name == "k8s.yaml"}
    if python.is_file() and tf:
        script = (
            "import sys, json, hcl2\nout = {}\nfor p in sys.argv[1:]:\n    try:\n"
            "        hcl2.loads(open(p).read())\n    except Exception as e:\n        out[p] = str(e)[:200]\n"
            "print(json.dumps(out))"
        )
        proc = _run([str(python), "-c", script, *map(str, tf.values())])
        errors = json.loads(proc.stdout or "{}")
        for i, p in tf.items():
            if str(p) in errors:
                invalid.setdefault(i, []).append(f"python-hcl2: {errors[str(p)]}")
        ran.append("python-hcl2")
    if (CHECKS / "cfn-lint").is_file() and cfn:
        for i, p in cfn.items():
            proc = _run([str(CHECKS / "cfn-lint"), "--format", "parseable", str(p)])
            errs = [line for line in proc.stdout.splitlines() if re.search(r":E\d{4}:", line)]
            if errs:
                invalid.setdefault(i, []).extend(f"cfn-lint: {e.split(':', 5)[-1]}" for e in errs[:3])
        ran.append("cfn-lint")
    if (CHECKS / "kubernetes-validate").is_file() and k8s:
        for i, p in k8s.items():
            proc = _run([str(CHECKS / "kubernetes-validate"), "--strict", "-k", "1.31.0", str(p)])
            if proc.returncode != 0:
                lines = [x for x in (proc.stdout + proc.stderr).splitlines() if "ERROR" in x or "error" in x]
                invalid.setdefault(i, []).append(
                    "kubernetes-validate: " + (lines[0] if lines else "failed")[:200]
                )
        ran.append("kubernetes-validate")
    if (CHECKS / "checkov").is_file() and files:
        root = next(iter(files.values())).parents[1]
        failed = _checkov(root, files)
        # One run over every file builds one resource graph, so a graph check can see another
        # request's resources (CKV2_AWS_18 wants any EFS in the graph's backup selections):
        # each file that failed is checked again alone, as a user would run it.
        for index in list(failed):
            alone = _checkov(files[index].parent, {index: files[index]})
            if alone.get(index):
                failed[index] = alone[index]
            else:
                del failed[index]
        ran.append("checkov")
    return invalid, failed, ran


def _checkov(root: Path, files: dict[int, Path]) -> dict[int, list[str]]:
    """High-signal checkov failures of `files` (index -> check ids), from one run over `root`."""
    from tools.iac.checkov_signal import is_advisory

    proc = _run([str(CHECKS / "checkov"), "-d", str(root), "-o", "json", "--compact", "--quiet",
                 "--framework", "terraform", "cloudformation", "kubernetes"], timeout=1800)  # fmt: skip
    reports = json.loads(proc.stdout or "[]")
    by_dir = {str(p.parent.name): i for i, p in files.items()}
    failed: dict[int, list[str]] = {}
    for rep in reports if isinstance(reports, list) else [reports]:
        for check in ((rep or {}).get("results") or {}).get("failed_checks") or []:
            path = Path(str(check.get("file_path", "")))
            index = by_dir.get(path.parent.name) if path.parent.name else next(iter(files), None)
            if index is not None and not is_advisory(str(check.get("check_id"))):
                failed.setdefault(index, []).append(f"{check.get('check_id')} {check.get('resource')}")
    return failed


def _chart_manifests(blocks: Any) -> str:
    """A Helm chart's templates rendered with its values.yaml: the manifests the tool checked."""
    from tools.iac.helm import Chart, render_chart

    files = [(b.filename.split("/", 1)[1], b.code) for b in blocks]
    values = yaml.safe_load(dict(files).get("values.yaml", "")) or {}
    return render_chart(Chart(name="chart", files=files, values=values))


def _has(code: str, value: str) -> bool:
    """`value` in `code`, case and runs of spaces aside (terraform fmt aligns the = signs)."""
    return _squash(value) in _squash(code)


def _squash(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text.lower())


def _kind_present(code: str, fmt: str, kind: str) -> bool:
    if fmt == "kubernetes":
        return re.search(rf"^kind: {re.escape(kind)}$", code, re.M) is not None
    if fmt == "terraform":
        return f'resource "{kind}"' in code
    return f"Type: {kind}" in code


def round_of(text: str, number: int) -> slice:
    """The cases of held-out round `number`: those after its "# --- Round N:" comment and before
    the next round's (round 1 is everything before round 2's marker)."""
    starts: dict[int, int] = {1: 0}
    count = 0
    for line in text.splitlines():
        m = re.match(r"\s*#\s*-+\s*Round\s+(\d+)\b", line)
        if m:
            starts[int(m.group(1))] = count
        elif re.match(r"\s*-\s*\{", line):
            count += 1
    if number not in starts:
        raise SystemExit(f"no round {number} in the request set")
    return slice(starts[number], starts.get(number + 1))


def run_engineers(cases_path: Path | None, json_out: Path | None, round_number: int | None = None) -> int:
    from tools.base import UserFacingError
    from tools.iac.generate_iac import GenerateIac

    text = (cases_path or CASES).read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    cases = [Case(**c) for c in raw["cases"]]
    if round_number is not None:
        cases = cases[round_of(text, round_number)]
    tool = GenerateIac()
    results: list[Result] = []
    files: dict[int, Path] = {}
    codes: dict[int, tuple[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="cloudpilot-iac-eng-") as tmp:
        ctx = _context(Path(tmp) / "data")
        out_dir = Path(tmp) / "files"
        tool.run(ctx, tool.parse({"request": "write Terraform for a private S3 bucket"}))  # warm up
        for i, case in enumerate(cases):
            res = Result(case.r, case.expect, routed=_routed(case.r))
            t0 = time.perf_counter()
            try:
                out = tool.run(ctx, tool.parse({"request": case.r}))
                message, code, fmt = out.message, (out.code[0].code if out.code else ""), out.format
                if out.code and out.filename and out.filename.endswith("/"):
                    code = _chart_manifests(out.code)
                not_applied = out.not_applied
            except UserFacingError as exc:
                message, code, fmt, not_applied = str(exc), "", None, []
            res.ms = (time.perf_counter() - t0) * 1000
            if case.expect in ("cannot", "unsupported"):
                words = "can't generate" if case.expect == "cannot" else "not supported"
                res.answered = not code and words in message
                res.format_right = res.valid = res.checkov_clean = res.honoured = res.answered
                if not res.answered:
                    res.problems.append(f"expected an explicit '{words}', got: {message[:160]}")
            else:
                res.format_right = fmt == case.f
                if not res.format_right:
                    res.problems.append(f"format {fmt}, expected {case.f}: {message[:200]}")
                if code and fmt:
                    path = out_dir / f"c{i:03d}" / FILES[fmt]
                    path.parent.mkdir(parents=True)
                    path.write_text(code, encoding="utf-8")
                    files[i] = path
                    codes[i] = (code, fmt)
                    missing_k = [k for k in case.k if not _kind_present(code, fmt, k)]
                    missing_v = [v for v in case.v if not _has(code, v)]
                    res.honoured = not missing_k and not missing_v and not not_applied
                    if case.expect == "partial":
                        # The part it could build is built; what it left out is said, by name.
                        said = " ".join(not_applied).lower()
                        unnamed = [n for n in case.n if n.lower() not in said]
                        res.honoured = not missing_k and not missing_v and bool(not_applied) and not unnamed
                        if not not_applied or unnamed:
                            res.problems.append(f"the not-applied line does not name {unnamed or case.n}")
                    if missing_k or missing_v:
                        res.problems.append(f"missing kinds {missing_k} values {missing_v}")
                    if not_applied and case.expect != "partial":
                        res.problems.append(f"not applied: {not_applied}")
                    res.valid = "FAILS its checks" not in message
                    if not res.valid:
                        res.problems.append(message.splitlines()[0][:200])
                res.answered = case.expect != "changed" or "Changed from your request" in message
                if case.expect == "partial":
                    res.answered = res.honoured
                if not res.answered:
                    res.problems.append("no 'Changed from your request' note")
            results.append(res)
        invalid, failed, ran = independent_checks(files)
        for i, res in enumerate(results):
            if i in invalid:
                res.valid = False
                res.problems += invalid[i]
            res.checkov_clean = res.checkov_clean or (i in files and i not in failed)
            if i in failed:
                res.problems.append("checkov high-signal: " + ", ".join(sorted(set(failed[i]))[:4]))
            if "checkov" not in ran and i in files:
                res.checkov_clean = True
            res.passed = all(
                (res.routed, res.format_right, res.valid, res.checkov_clean, res.honoured, res.answered)
            )
        ctx.store.close()
    total = len(results)

    def rate(attr: str, subset: list[Result] | None = None) -> str:
        rows = subset if subset is not None else results
        n = sum(bool(getattr(r, attr)) for r in rows)
        return f"{n}/{len(rows)} ({n / max(1, len(rows)):.1%})"

    ordinary = [r for r in results if r.expect in ("code",)]
    other = [r for r in results if r.expect != "code"]
    for r in results:
        if not r.passed:
            print(f"FAIL  {r.request}\n      {'; '.join(r.problems) or 'not routed'}", file=sys.stderr)
    print(
        f"IaC engineers' set: {total} requests ({len(ordinary)} to build, {len(other)} to refuse or change)"
    )
    print(f"independent checkers run: {', '.join(ran) or 'none (run scripts/setup_checks.sh)'}")
    for attr in ("routed", "format_right", "valid", "checkov_clean", "honoured"):
        print(f"  {attr:14} {rate(attr, ordinary)}   (to build)")
    print(f"  {'passed':14} {rate('passed', ordinary)}   (to build: all of the above)")
    print(f"  {'explicit':14} {rate('answered', other)}   (cannot / not supported / changed-because)")
    print(f"  {'passed':14} {rate('passed')}   (all requests)")
    median = sorted(r.ms for r in results)[total // 2]
    print(f"  median generation {median:.0f} ms (in-process checks included, independent checkers excluded)")
    if json_out:
        json_out.write_text(json.dumps({"checkers": ran, "results": [asdict(r) for r in results]}, indent=2))
    return 0 if sum(r.passed for r in results) >= 0.9 * total else 1
