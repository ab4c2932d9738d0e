"""Progress of long work on stderr: the reporting channel, the terminal line, and the commands."""

from __future__ import annotations

import csv
import io
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from agent.api import ProgressStep, watch_progress
from bot.main import cli
from bot.terminal import cost_commands
from bot.terminal.render import ProgressLine, progress_text
from tools import progress

FOCUS = Path(__file__).resolve().parents[3] / "tools" / "cost" / "data" / "focus_sample.csv"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nobody_watching_costs_nothing_and_a_broken_sink_breaks_nothing() -> None:
    progress.report("idle", 1, 2)  # no watcher: nothing happens

    def broken(_step: ProgressStep) -> None:
        raise RuntimeError("sink down")

    with watch_progress(broken):
        progress.report("work", 1, 2)  # does not raise
    seen: list[ProgressStep] = []
    with watch_progress(seen.append):
        progress.report("work", 1, 2, "first")
    progress.report("work", 2, 2)  # outside the block: not seen
    assert seen == [ProgressStep("work", 1, 2, "first")]


def test_progress_text() -> None:
    assert progress_text(ProgressStep("security scan", 3, 12, "EC2 instances in us-east-1")) == (
        "security scan 3/12: EC2 instances in us-east-1…"
    )
    assert progress_text(ProgressStep("writing", 0, None, "10 rows")) == "writing: 10 rows…"
    assert progress_text(ProgressStep("reading", 12, 12, finished=True)) == "reading 12/12 done"


def test_lines_when_stderr_is_not_a_terminal() -> None:
    clock, out = FakeClock(), io.StringIO()
    line = ProgressLine(out, delay_s=0.5, every_s=2.0, clock=clock)
    line(ProgressStep("scan", 0, 3, "a"))  # within the delay: quick work shows nothing
    clock.now = 1.0
    line(ProgressStep("scan", 1, 3, "b"))
    clock.now = 1.5
    line(ProgressStep("scan", 2, 3, "c"))  # too soon after the last line
    clock.now = 4.0
    line(ProgressStep("scan", 3, 3, finished=True))
    line.close()
    assert out.getvalue() == "scan 1/3: b…\nscan 3/3 done\n"


def test_quick_work_shows_nothing() -> None:
    clock, out = FakeClock(), io.StringIO()
    line = ProgressLine(out, clock=clock)
    line(ProgressStep("scan", 0, 3))
    line(ProgressStep("scan", 3, 3, finished=True))
    line.close()
    assert out.getvalue() == ""


def test_one_line_redrawn_and_erased_on_a_terminal() -> None:
    clock, out = FakeClock(), Tty()
    line = ProgressLine(out, delay_s=0, clock=clock)
    line(ProgressStep("scan", 1, 3, "a"))
    line(ProgressStep("scan", 2, 3, "b"))
    line(ProgressStep("scan", 3, 3, finished=True))
    text = out.getvalue()
    assert "\n" not in text
    assert text.startswith("\rscan 1/3: a…\x1b[K\rscan 2/3: b…\x1b[K") and text.endswith("\r\x1b[K")


@pytest.fixture
def eager_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cost_commands, "ProgressLine", partial(ProgressLine, delay_s=0, every_s=0))


def test_cost_ingest_shows_progress_on_stderr_only(eager_progress: None, tmp_path: Path) -> None:
    path = tmp_path / "sept.csv"
    with FOCUS.open(newline="") as src, path.open("w", newline="") as dst:
        csv.writer(dst).writerows(list(csv.reader(src))[:50])
    env = {
        "CLOUDPILOT_DATA_DIR": str(tmp_path / "data"),
        "CLOUDPILOT_AWS__ENDPOINT_URL": "http://127.0.0.1:9",
    }
    result = CliRunner().invoke(cli, ["cost", "ingest", "--json", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("{") and "…" not in result.stdout
    assert f"checking billing exports 1/1: {path}…" in result.stderr
    assert f"loading billing rows 0/1: {path}…" in result.stderr
    assert "writing the cost store: 49 rows…" in result.stderr
    assert result.stderr.splitlines()[-1] == "cost ingest 1/1 done"


def test_a_scan_reports_each_read(ctx) -> None:  # type: ignore[no-untyped-def]
    from sandbox.seed import seed
    from tools.security.security_scan import SecurityScan, SecurityScanInput

    seed(ctx.aws)
    steps: list[ProgressStep] = []
    with watch_progress(steps.append):
        SecurityScan().run(ctx, SecurityScanInput(services=["s3", "ec2"], regions=["us-east-1"]))
    reads = [s for s in steps if s.task == "reading resources"]
    total = reads[0].total
    assert total and total > 1
    assert [s.done for s in reads] == [*range(total), total]
    assert reads[-1].finished
    assert all(" in " in s.detail for s in reads[:-1])  # "S3 buckets in global", "EC2 instances in us-east-1"
