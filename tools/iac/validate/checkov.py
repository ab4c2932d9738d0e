"""Checkov, the independent policy checker, run from its own environment.

Checkov pins packages that conflict with the project's test tools, so it lives in its own
virtualenv (`scripts/setup_checks.sh` creates `.venv-checks`; the `iac_checks_venv` setting points
elsewhere) and runs as a subprocess: `checkov_batch.py` with that environment's Python, every file
scanned on its own. In the generation loop one such process stays up (`CheckovWorker`), so
checkov's imports (about 1.5 s) are paid once per CloudPilot process, not per generated file.
A failed check fails the code unless `checkov_signal.ADVISORY` says why it is only a warning;
checks suppressed in the code itself (`checkov:skip`) are shown as warnings.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tools.iac.checkov_signal import is_advisory
from tools.iac.model import FILENAMES, CheckRun, IacFormat, Issue, Level

BATCH = Path(__file__).with_name("checkov_batch.py")
# <repo>/.venv-checks, next to the project's own .venv.
DEFAULT_VENV = Path(__file__).resolve().parents[3] / ".venv-checks"
TIMEOUT_S = 120
NOT_INSTALLED = "not installed (scripts/setup_checks.sh installs it in .venv-checks)"


class CheckovUnavailable(Exception):
    """Checkov could not run or answered something that is not its report."""


@dataclass
class FileResult:
    failed: list[dict[str, str]] = field(default_factory=list)
    suppressed: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None


def _venv_python(venv: Path) -> str | None:
    python = venv / "bin" / "python"
    return str(python) if (venv / "bin" / "checkov").is_file() and python.exists() else None


def _interpreter_of(script: str) -> str | None:
    """The Python a `checkov` console script runs with (its #! line), e.g. a pipx environment."""
    try:
        with open(script, encoding="utf-8", errors="replace") as fh:
            first = fh.readline()
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    interpreter = first[2:].strip().split(" ")[0]
    return interpreter if interpreter and Path(interpreter).is_file() else None


def find_checks_python(venv: Path | None = None) -> str | None:
    """The Python that can import checkov: the configured environment's (only that one when set),
    else `<repo>/.venv-checks`, else the interpreter of a `checkov` on PATH; None when absent."""
    if venv is not None:
        return _venv_python(venv)
    found = _venv_python(DEFAULT_VENV)
    if found:
        return found
    on_path = shutil.which("checkov")
    return _interpreter_of(on_path) if on_path else None


def _command(python: str, *extra: str) -> list[str]:
    # -I: the script's folder (which has modules named like checkov's own imports) stays off
    # sys.path, as do the user's site-packages and PYTHON* variables.
    return [python, "-I", str(BATCH), *extra]


def _jobs(files: list[tuple[Path, IacFormat]]) -> str:
    return json.dumps([{"path": str(path), "framework": fmt} for path, fmt in files])


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1][:200] if lines else "no report"


def scan_files(python: str, files: list[tuple[Path, IacFormat]], timeout_s: float) -> dict[str, FileResult]:
    """Checkov over each file on its own, in a process of its own: path -> its result.
    Raises CheckovUnavailable."""
    try:
        proc = subprocess.run(
            _command(python),
            input=_jobs(files),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        raw: Any = json.loads(proc.stdout or "null")
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        raise CheckovUnavailable(type(exc).__name__) from exc
    return _results(raw, proc.stderr or "")


def _results(raw: Any, stderr: str) -> dict[str, FileResult]:
    if not isinstance(raw, dict):
        raise CheckovUnavailable(_last_line(stderr))
    out: dict[str, FileResult] = {}
    for path, result in raw.items():
        result = result if isinstance(result, dict) else {}
        out[str(path)] = FileResult(
            failed=list(result.get("failed") or []),
            suppressed=list(result.get("suppressed") or []),
            error=result.get("error"),
        )
    return out


def to_run(result: FileResult) -> CheckRun:
    """One file's checkov result as a check run: high-signal failures are errors."""
    run = CheckRun("checkov", "Checkov")
    if result.error and not result.failed:
        run.skipped = True
        run.detail = f"could not check the file: {result.error[:200]}"
        return run
    for check in result.failed:
        check_id = check.get("check_id", "")
        run.issues.append(
            Issue(
                "checkov",
                f"{check_id}: {check.get('check_name', '')}",
                level=Level.WARNING if is_advisory(check_id) else Level.ERROR,
                location=check.get("resource", ""),
            )
        )
    for check in result.suppressed:
        run.issues.append(
            Issue(
                "checkov",
                f"{check.get('check_id', '')} suppressed in the code: {check.get('check_name', '')}",
                level=Level.WARNING,
                location=check.get("resource", ""),
            )
        )
    advisory = len(run.issues) - len(run.errors)
    run.detail = f"{len(run.errors)} high-signal and {advisory} advisory failed checks"
    return run


class CheckovWorker:
    """One long-lived `checkov_batch.py --serve` process: a line of jobs in, a line of results out.
    Calls are serialised; a process that dies or overruns the timeout is stopped and the next
    call starts a new one. The process ends when CloudPilot does (its stdin closes)."""

    def __init__(self, python: str) -> None:
        self.python = python
        self._proc: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None
        self._lock = threading.Lock()
        self._owner = os.getpid()

    def _start(self) -> subprocess.Popen[str]:
        if self._owner != os.getpid():
            # A forked child must not share its parent's pipes: it starts a process of its own.
            self._proc, self._stderr, self._owner = None, None, os.getpid()
        if self._proc is None or self._proc.poll() is not None:
            self.close()
            # Kept open for the process's life: the last line explains a crash.
            self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
            self._proc = subprocess.Popen(
                _command(self.python, "--serve"),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                text=True,
                bufsize=1,
            )
        return self._proc

    def _error_tail(self) -> str:
        if self._stderr is None:
            return "no report"
        self._stderr.seek(0)
        return _last_line(self._stderr.read())

    def scan(self, files: list[tuple[Path, IacFormat]], timeout_s: float) -> dict[str, FileResult]:
        with self._lock:
            try:
                proc = self._start()
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write(_jobs(files) + "\n")
                proc.stdin.flush()
                ready, _, _ = select.select([proc.stdout], [], [], timeout_s)
                line = proc.stdout.readline() if ready else None
            except OSError as exc:  # it exited before reading the jobs (a broken pipe)
                if self._proc is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self._proc.wait(timeout=5)
                tail = self._error_tail()
                self.close()
                raise CheckovUnavailable(tail if tail != "no report" else type(exc).__name__) from exc
            if line is None:
                self.close()
                raise CheckovUnavailable(f"no answer within {timeout_s:.0f} s")
            if not line:
                tail = self._error_tail()
                self.close()
                raise CheckovUnavailable(tail)
            try:
                raw: Any = json.loads(line)
            except ValueError as exc:
                self.close()
                raise CheckovUnavailable("ValueError") from exc
            return _results(raw, "")

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.stdin is not None:
                # Closing flushes what is buffered, which fails when checkov has already exited.
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def checkov_run(
    worker: CheckovWorker | None, code: str, fmt: IacFormat, timeout_s: float = TIMEOUT_S
) -> CheckRun:
    """Checkov over one piece of code; a skipped run saying why when it is absent or fails."""
    if worker is None:
        return CheckRun("checkov", "Checkov", skipped=True, detail=NOT_INSTALLED)
    with tempfile.TemporaryDirectory(prefix="cloudpilot-iac-") as tmp:
        path = Path(tmp) / FILENAMES[fmt]
        path.write_text(code, encoding="utf-8")
        try:
            results = worker.scan([(path, fmt)], timeout_s)
        except CheckovUnavailable as exc:
            return CheckRun("checkov", "Checkov", skipped=True, detail=f"could not run: {exc}")
    return to_run(results.get(str(path), FileResult(error="no result for the file")))
