"""Errors people can act on: one line on stderr, an exit status per kind, a traceback only with
--debug; `--version`; and what a fresh `cloudpilot` process imports (no timings asserted)."""

from __future__ import annotations

import csv
import json
import logging
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.main import cli, describe_error
from config.errors import EXIT_BAD_INPUT, EXIT_NOT_FOUND, EXIT_UNAVAILABLE, EXIT_USAGE

FOCUS = Path(__file__).resolve().parents[3] / "tools" / "cost" / "data" / "focus_sample.csv"
DEAD_ENDPOINT = "http://127.0.0.1:9"  # nothing in these tests calls AWS; the sandbox is not started


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDPILOT_", "AWS_"))}
    base |= {"CLOUDPILOT_DATA_DIR": str(tmp_path / "data"), "CLOUDPILOT_AWS__ENDPOINT_URL": DEAD_ENDPOINT}
    return subprocess.run(
        [sys.executable, "-m", "bot.main", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """The process failed with exactly one line on stderr and no traceback; that line. (Slow work
    may have shown progress lines before it, "… 1/1: ……": those are not errors.)"""
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if not ln.endswith(("…", " done"))]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("Error: "), proc.stderr
    return lines[0]


def ragged_export(path: Path, line: int) -> Path:
    """The bundled FOCUS sample with one data row cut short (`line` is its physical line)."""
    with FOCUS.open(newline="") as fh:
        rows = list(csv.reader(fh))
    rows[line - 1] = rows[line - 1][:-5]
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_version_is_the_package_version(tmp_path: Path) -> None:
    proc = run(tmp_path, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"cloudpilot {version('cloudpilot')}"


def test_bad_database_url_names_the_setting(tmp_path: Path) -> None:
    proc = run(tmp_path, "approvals", "list", env={"CLOUDPILOT_DATABASE_URL": "nonsense://db"})
    line = one_line_error(proc)
    assert proc.returncode == EXIT_USAGE
    assert "database_url" in line and "nonsense" in line


def test_unreachable_database_says_so_without_the_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://cloudpilot:hunter2@127.0.0.1:9/cloudpilot"
    proc = run(tmp_path, "audit", env={"CLOUDPILOT_DATABASE_URL": url})
    line = one_line_error(proc)
    assert proc.returncode == EXIT_UNAVAILABLE
    assert "database_url" in line and "cannot be reached" in line and "127.0.0.1:9" in line
    assert "hunter2" not in proc.stderr


def test_malformed_settings_file_names_file_line_and_column(tmp_path: Path) -> None:
    cfg = tmp_path / "cloudpilot.toml"
    cfg.write_text('data_dir = "x"\n[llm\nprovider = "openai"\n')
    proc = run(tmp_path, "--config", str(cfg), "config", "show")
    line = one_line_error(proc)
    assert proc.returncode == EXIT_USAGE
    assert f"settings file {cfg}, line 2, column" in line


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    proc = run(tmp_path, "config", "show", env={"CLOUDPILOT_AWS__REGIONS": "us-east-1"})
    line = one_line_error(proc)
    assert proc.returncode == EXIT_USAGE
    assert "CLOUDPILOT_AWS__REGIONS='us-east-1'" in line and "JSON" in line


def test_unknown_approval_ids_are_not_found(tmp_path: Path) -> None:
    for args in (
        ["audit", "--approval", "nope"],
        ["approvals", "approve", "nope", "--as", "bob"],
        ["approvals", "reject", "nope", "--as", "bob"],
        ["approvals", "show", "nope"],
    ):
        proc = run(tmp_path, *args)
        line = one_line_error(proc)
        assert proc.returncode == EXIT_NOT_FOUND, args
        assert "no approval request with id 'nope'" in line, args


def test_ragged_billing_export_names_file_line_and_column(tmp_path: Path) -> None:
    bad = ragged_export(tmp_path / "ragged.csv", line=11)
    proc = run(tmp_path, "cost", "ingest", str(bad))
    line = one_line_error(proc)
    assert proc.returncode == EXIT_BAD_INPUT
    assert f"{bad}, line 11: 39 fields where the header has 44" in line
    assert "no value for column SkuId" in line and "missing column" not in line


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    proc = run(tmp_path, "--debug", "approvals", "list", env={"CLOUDPILOT_DATABASE_URL": "nonsense://db"})
    assert proc.returncode == EXIT_USAGE
    assert "Traceback (most recent call last)" in proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("Error: database_url")


# -- in process (click's runner): the same mapping, cheaper -------------------------------------


@pytest.fixture
def invoke(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def _invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        base = {"CLOUDPILOT_DATA_DIR": str(tmp_path / "data"), "CLOUDPILOT_AWS__ENDPOINT_URL": DEAD_ENDPOINT}
        return runner.invoke(cli, list(args), env={**base, **(env or {})})

    return _invoke


def test_ragged_row_deep_in_a_large_export(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Past DuckDB's sniffing sample: the load itself fails, and the row is still named.
    with FOCUS.open(newline="") as fh:
        rows = list(csv.reader(fh))
    big = [rows[0], *rows[1:] * 25]
    big[22_000] = big[22_000][:-3]
    path = tmp_path / "big.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(big)
    result = invoke("cost", "ingest", str(path))
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert f"{path}, line 22001: 41 fields where the header has 44" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("", "is empty: it has no header line"),
        (None, "line 3, byte 1: not UTF-8 text"),
        ("quote", "line 3: not valid CSV"),
        ("extra", "line 2: 46 fields where the header has 44 (2 more, after column Tags)"),
    ],
)
def test_malformed_exports(invoke, tmp_path: Path, content: str | None, needle: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.csv"
    lines = FOCUS.read_text().splitlines()[:4]
    if content is None:
        path.write_bytes(("\n".join(lines[:2]) + "\n").encode() + b"\xff\xfe broken\n")
    elif content == "quote":
        path.write_text("\n".join([lines[0], lines[1], lines[2] + ',"x"y', lines[3]]) + "\n")
    elif content == "extra":
        path.write_text("\n".join([lines[0], lines[1] + ",a,b", lines[2]]) + "\n")
    else:
        path.write_text(content)
    result = invoke("cost", "ingest", str(path))
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert needle in result.stderr, result.stderr
    errors = [ln for ln in result.stderr.splitlines() if not ln.endswith(("…", " done"))]
    assert str(path) in result.stderr and len(errors) == 1


def test_missing_export_is_not_found(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("cost", "ingest", str(tmp_path / "nope.csv"))
    assert result.exit_code == EXIT_NOT_FOUND and "Billing export not found" in result.stderr


def test_logged_tracebacks_are_one_line_unless_debug(invoke) -> None:  # type: ignore[no-untyped-def]
    def boom() -> None:
        try:
            raise RuntimeError("disk on fire\nsecond line")
        except RuntimeError:
            logging.getLogger("cloudpilot.test").exception("work failed")

    factory = logging.getLogRecordFactory()
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logging.getLogger("cloudpilot.test").addHandler(handler)
    try:
        from bot.main import _LoggedErrorsInOneLine

        with _LoggedErrorsInOneLine():
            boom()
        boom()
    finally:
        logging.getLogger("cloudpilot.test").removeHandler(handler)
    assert logging.getLogRecordFactory() is factory  # restored
    quiet, loud = records
    assert quiet.exc_info is None
    assert "work failed [RuntimeError: disk on fire second line" in quiet.getMessage()
    assert loud.exc_info is not None


def test_describe_error_kinds() -> None:
    from config.errors import NotFoundError

    assert describe_error(NotFoundError("no such thing")) == (EXIT_NOT_FOUND, "no such thing")
    code, text = describe_error(ValueError("odd\nvalue"))
    assert code == 1 and text == "unexpected error: builtins.ValueError: odd value"
    assert describe_error(FileNotFoundError(2, "No such file", "/x"))[0] == EXIT_NOT_FOUND


# -- what a fresh process imports ------------------------------------------------------------------

HEAVY = ("langgraph", "sqlalchemy", "pydantic_settings", "duckdb", "boto3", "slack_bolt", "redis")
NEVER_FOR_A_QUESTION = (
    "slack_bolt",
    "redis",
    "psycopg",
    "numpy",
    "torch",
    "sentence_transformers",
    "matplotlib",
    "qdrant_client",
    "langchain_openai",
    "langchain_anthropic",
    "langchain_ollama",
    "uvicorn",
)


def _modules_after(tmp_path: Path, code: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDPILOT_")}
    env |= {"CLOUDPILOT_DATA_DIR": str(tmp_path / "data"), "CLOUDPILOT_AWS__ENDPOINT_URL": DEAD_ENDPOINT}
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    proc = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    loaded: list[str] = json.loads(proc.stderr.strip().splitlines()[-1])
    return {m.split(".")[0] for m in loaded}


def test_version_and_import_load_nothing_heavy(tmp_path: Path) -> None:
    loaded = _modules_after(tmp_path, "import bot.main")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    version_run = "from bot.main import cli\ntry:\n    cli.main(['--version'])\nexcept SystemExit:\n    pass"
    loaded = _modules_after(tmp_path, version_run)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_cost_question_loads_no_chat_platform_model_or_plotting_stack(tmp_path: Path) -> None:
    ask = (
        "from bot.main import cli\n"
        "cli.main(['--now', '2024-10-15', 'ask', '--json', 'how much did we spend on EC2 last month'],"
        " standalone_mode=False)"
    )
    loaded = _modules_after(tmp_path, ask)
    assert "langgraph" in loaded  # it did answer through the graph
    assert not loaded & set(NEVER_FOR_A_QUESTION), sorted(loaded & set(NEVER_FOR_A_QUESTION))
