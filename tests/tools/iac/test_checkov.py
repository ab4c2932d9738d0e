"""Checkov in the generation loop: run from its own environment, high-signal failures fail the
code, advisory ones warn, and its absence is said. The last tests run the real checkov from
.venv-checks (scripts/setup_checks.sh) over every catalogue output; without it they skip."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from config import load_settings
from tests.tools.iac.request_set import REQUESTS
from tools.base import ToolContext
from tools.iac.catalogue import TEMPLATES, get_template
from tools.iac.checkov_signal import ADVISORY, is_advisory
from tools.iac.checks import IacEnv, check_code, env_for
from tools.iac.generate_iac import GenerateIac
from tools.iac.model import FILENAMES, IacFormat, Level
from tools.iac.pipeline import generate
from tools.iac.validate.checkov import (
    NOT_INSTALLED,
    CheckovUnavailable,
    CheckovWorker,
    find_checks_python,
    scan_files,
)
from tools.services import Services

REAL = find_checks_python()
needs_checkov = pytest.mark.skipif(
    REAL is None, reason="checkov is not installed: scripts/setup_checks.sh creates .venv-checks"
)
SQS = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'
SQS += 'resource "aws_sqs_queue" "q" {\n  sqs_managed_sse_enabled = true\n}\n'


def _fake_python(tmp_path: Path, failed: list[dict[str, str]], suppressed: list[dict[str, str]]) -> str:
    """A stand-in for the checks environment's Python running `checkov_batch.py --serve`: a line
    of jobs in, a line answering every file with the given checks out, in the script's format."""
    script = tmp_path / "python"
    answer = json.dumps({"failed": failed, "suppressed": suppressed, "error": None})
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        "for line in sys.stdin:\n"
        "    jobs = json.loads(line)\n"
        f"    print(json.dumps({{job['path']: json.loads({answer!r}) for job in jobs}}), flush=True)\n"
    )
    script.chmod(0o755)
    return str(script)


@pytest.fixture
def envs(iac_env: IacEnv) -> Iterator[Callable[[str | None], IacEnv]]:
    """IacEnv with the given checks Python; their checkov processes are stopped afterwards."""
    made: list[IacEnv] = []

    def make(python: str | None) -> IacEnv:
        made.append(IacEnv(cfn=iac_env.cfn, k8s=iac_env.k8s, checkov=python))
        return made[-1]

    yield make
    for env in made:
        worker = env.checkov_worker()
        if worker is not None:
            worker.close()


def _check(check_id: str) -> dict[str, str]:
    return {"check_id": check_id, "check_name": f"the {check_id} check", "resource": "aws_sqs_queue.q"}


def test_a_high_signal_failure_fails_the_code(tmp_path: Path, envs: Callable[[str | None], IacEnv]) -> None:
    env = envs(_fake_python(tmp_path, [_check("CKV_AWS_999")], []))
    report = check_code(env, SQS, "terraform")
    (run,) = [r for r in report.runs if r.check == "checkov"]
    assert not report.ok and report.valid  # schema-valid, but checkov says no
    assert run.errors[0].message.startswith("CKV_AWS_999") and run.errors[0].location == "aws_sqs_queue.q"
    assert run.detail == "1 high-signal and 0 advisory failed checks"


def test_advisory_failures_and_suppressions_only_warn(
    tmp_path: Path, envs: Callable[[str | None], IacEnv]
) -> None:
    advisory = next(iter(ADVISORY))
    env = envs(_fake_python(tmp_path, [_check(advisory)], [_check("CKV_AWS_27")]))
    for _ in range(2):  # the second file goes to the same checkov process
        report = check_code(env, SQS, "terraform")
        (run,) = [r for r in report.runs if r.check == "checkov"]
        assert report.ok and run.passed and {i.level for i in run.issues} == {Level.WARNING}
        assert any("suppressed in the code" in i.message for i in run.issues)


def test_checkov_that_cannot_run_is_skipped_and_says_why(
    tmp_path: Path, envs: Callable[[str | None], IacEnv]
) -> None:
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'Traceback: no module named checkov' >&2\nexit 1\n")
    broken.chmod(0o755)
    report = check_code(envs(str(broken)), SQS, "terraform")
    (run,) = [r for r in report.runs if r.check == "checkov"]
    assert run.skipped and report.ok and run.detail == "could not run: Traceback: no module named checkov"


def test_a_checkov_process_that_hangs_is_stopped_and_replaced(tmp_path: Path) -> None:
    hangs = tmp_path / "python"
    hangs.write_text("#!/bin/sh\nexec sleep 60\n")
    hangs.chmod(0o755)
    worker = CheckovWorker(str(hangs))
    code = tmp_path / "main.tf"
    code.write_text(SQS)
    with pytest.raises(CheckovUnavailable, match="no answer within 1 s"):
        worker.scan([(code, "terraform")], timeout_s=1)
    (tmp_path / "ok").mkdir()
    hangs.write_text(Path(_fake_python(tmp_path / "ok", [], [])).read_text())  # now it answers
    assert worker.scan([(code, "terraform")], timeout_s=30)[str(code)].failed == []
    worker.close()


def test_absent_checkov_is_reported_as_not_installed(iac_ctx: ToolContext) -> None:
    iac_ctx.services = Services(iac_env=IacEnv(cfn=env_for(iac_ctx).cfn, k8s=env_for(iac_ctx).k8s))
    tool = GenerateIac()
    result = tool.run(iac_ctx, tool.parse({"request": "write Terraform for a private S3 bucket"}))
    (view,) = [c for c in result.checks if c.check == "checkov"]
    assert view.result == "skipped" and view.detail == NOT_INSTALLED
    assert "Checkov: not installed" in result.message and result.passed


def test_the_checks_venv_setting_picks_the_environment(tmp_path: Path, iac_ctx: ToolContext) -> None:
    venv = tmp_path / "checks"
    assert find_checks_python(venv) is None  # configured but absent: not installed (no fallback)
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "checkov").write_text("#!/bin/sh\n")
    (venv / "bin" / "python").symlink_to(sys.executable)
    assert find_checks_python(venv) == str(venv / "bin" / "python")
    settings = load_settings(data_dir=tmp_path / "data", iac_checks_venv=venv)
    assert settings.iac_checks_venv == venv
    ctx = dataclasses.replace(iac_ctx, settings=settings, services=Services())
    assert env_for(ctx).checkov == str(venv / "bin" / "python")


# -- the real checkov (optional) ------------------------------------------------------------------
def _catalogue_outputs(ctx: ToolContext) -> list[tuple[str, str, IacFormat]]:
    """(label, code, format): every template in every format with its defaults and variants, and
    each of the 47 catalogue requests rendered by its template (with the request's parameters)."""
    out: list[tuple[str, str, IacFormat]] = []
    for t in TEMPLATES:
        for i, values in enumerate(({}, *t.variants)):
            for fmt in t.formats:
                params = t.build_params(values)
                out.append((f"{t.id} {fmt} #{i}", t.render_code(params, fmt), fmt))
    for case in REQUESTS:
        g = generate(ctx, case.request, template_id=case.template)
        assert g.source == "catalogue" and g.template is not None and g.template.id == case.template
        out.append((f"{case.request} [template {case.template}]", g.code, g.fmt))
    return out


def _high_signal(failed: list[dict[str, str]]) -> list[str]:
    return [f"{c['check_id']} {c['resource']}" for c in failed if not is_advisory(str(c["check_id"]))]


@needs_checkov
def test_every_catalogue_output_is_checkov_clean(iac_ctx: ToolContext, tmp_path: Path) -> None:
    assert REAL is not None
    outputs = _catalogue_outputs(iac_ctx)
    files: list[tuple[Path, IacFormat]] = []
    for i, (_, code, fmt) in enumerate(outputs):
        folder = tmp_path / f"out{i:03d}"
        folder.mkdir()
        (folder / FILENAMES[fmt]).write_text(code, encoding="utf-8")
        files.append((folder / FILENAMES[fmt], fmt))
    results = scan_files(REAL, files, timeout_s=900)
    problems = {}
    for (label, _, _), (path, _) in zip(outputs, files, strict=True):
        result = results[str(path)]
        assert result.error is None, (label, result.error)
        if high := _high_signal(result.failed):
            problems[label] = high
    assert problems == {}
    assert len(outputs) >= len(REQUESTS) + len(TEMPLATES)


@needs_checkov
def test_real_checkov_fails_pods_without_a_network_policy(envs: Callable[[str | None], IacEnv]) -> None:
    template = get_template("k8s_deployment_service")
    assert template is not None
    code = template.render_code(template.build_params({}), "kubernetes")
    without = "---\n".join(doc for doc in code.split("---\n") if "kind: NetworkPolicy" not in doc)
    env = envs(REAL)
    assert check_code(env, code, "kubernetes").ok
    report = check_code(env, without, "kubernetes")
    (run,) = [r for r in report.runs if r.check == "checkov"]
    assert not report.ok and [i.message.split(":")[0] for i in run.errors] == ["CKV2_K8S_6"]
