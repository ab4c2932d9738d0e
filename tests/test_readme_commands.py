"""README.md's "Try it" and "Changes wait for someone else's approval" commands, run as written.

The commands are read from the fenced bash blocks of those two sections, so the README and this
test cannot drift apart: each line runs in bash, in order, from the repository root, on a fresh
data dir (`CLOUDPILOT_DATA_DIR`), and its exit status and output are checked against EXPECTED. A
README command without an entry there fails the test, as does an entry the README no longer has.
Shell assignments (`export X=…`, `ID=$(…)`) are evaluated by bash and carried to later commands.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SECTIONS = ("## Try it", "### Changes wait for someone else's approval")
APPROVAL_ID = re.compile(r"\bap-[0-9a-f]{6,}\b")
# A line that only sets a shell variable (not `X=1 command`, which sets it for that command).
ASSIGNMENT = re.compile(r"^(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?:\$\(.*\)|\S*)$")


def readme_commands() -> list[str]:
    """The non-comment lines of the first bash block of each section, in order."""
    lines = README.read_text().splitlines()
    commands: list[str] = []
    for heading in SECTIONS:
        block: list[str] | None = None
        for line in lines[lines.index(heading) + 1 :]:
            if block is None and line.startswith("#"):
                break  # the next heading: this section has no bash block
            if block is None and line == "```bash":
                block = []
            elif block is not None and line.startswith("```"):
                break
            elif block is not None:
                block.append(line)
        assert block, f"README section {heading!r} has no bash block"
        commands += [ln for ln in block if ln.strip() and not ln.lstrip().startswith("#")]
    return commands


def command_of(line: str) -> str:
    """A README line without its trailing comment and with single spaces: EXPECTED's key."""
    return " ".join(re.sub(r"\s+#\s.*$", "", line).split())


@dataclass
class Expect:
    exit: int = 0
    contains: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    stdin: str | None = None
    check: Callable[[str, dict[str, str]], None] | None = None


def _breakdown(out: str, seen: dict[str, str]) -> None:
    reply = json.loads(out)
    assert set(reply) == {"tool_calls", "answer", "data", "approval"}
    assert reply["tool_calls"] == [
        {"name": "cost_query", "args": {"period": "last_month", "group_by": "service"}}
    ]
    assert "Amazon Elastic Compute Cloud $16.04" in reply["answer"] and reply["approval"] is None


def _requested(out: str, seen: dict[str, str]) -> None:
    ids = set(APPROVAL_ID.findall(out))
    assert len(ids) == 1, ids
    seen["printed_id"] = ids.pop()


def _id_is_the_printed_one(out: str, seen: dict[str, str]) -> None:
    assert seen["ID"] == seen["printed_id"]


def _listed(out: str, seen: dict[str, str]) -> None:
    assert seen["printed_id"] in out


CLI = ".venv/bin/cloudpilot"
EXPECTED: dict[str, Expect] = {
    "export CLOUDPILOT_NOW=2024-10-15": Expect(),
    f'{CLI} ask "how much did we spend on EC2 last month"': Expect(
        contains=("Amazon Elastic Compute Cloud cost $16.04 in September 2024",)
    ),
    f'{CLI} ask --json "break down last month by service"': Expect(check=_breakdown),
    f'{CLI} ask "are any buckets public?"': Expect(
        contains=("acme-public-website", "acme-marketing-downloads", "s3-bucket-public")
    ),
    f'{CLI} ask "list security groups in eu-west-1"': Expect(
        contains=("11 security groups in eu-west-1", "acme-eu-web", "acme-rdp-jump")
    ),
    f'{CLI} ask "any cost spikes recently?"': Expect(
        contains=("cost anomalies", "Amazon Elastic Compute Cloud")
    ),
    f'{CLI} ask "what is our runbook for a full disk?"': Expect(
        contains=("Full disk on a database host", "bundled/database-disk-full.md")
    ),
    f'{CLI} ask "write Terraform for a private S3 bucket with versioning"': Expect(
        contains=("aws_s3_bucket_versioning", "Parse ✓"), absent=("FAILS",)
    ),
    f'CLOUDPILOT_COST_DEMO_HISTORY=true {CLI} ask "how much did we spend on EC2 last month"': Expect(
        contains=("Amazon Elastic Compute Cloud cost $20,994.71 in September 2024",)
    ),
    f"{CLI} chat --as alice": Expect(
        stdin="how much did we spend on EC2 last month\nand S3?\nexit\n",
        contains=("talking as alice", "$16.04", "Amazon Simple Storage Service"),
    ),
    f'{CLI} ask --as alice "close port 22 to the world on security group acme-bastion"': Expect(
        contains=("acme-bastion, us-east-1", "nothing changed yet", "status: pending"), check=_requested
    ),
    f"{CLI} approvals list": Expect(contains=("pending", "revoke_ingress", "alice"), check=_listed),
    "ID=$(.venv/bin/cloudpilot approvals list --status pending --json | .venv/bin/python -c "
    "'import json,sys; print(json.load(sys.stdin)[0][\"id\"])')": Expect(check=_id_is_the_printed_one),
    f"{CLI} approvals approve $ID --as alice": Expect(exit=1, contains=("refused", "four eyes")),
    f"{CLI} approvals approve $ID --as bob": Expect(
        contains=("Executed revoke_ingress", "approved by bob", "ec2-sg-open-admin-ports now passes")
    ),
    f"{CLI} approvals approve $ID --as bob#again": Expect(
        exit=1, contains=("already executed", "nothing was done")
    ),
    f"{CLI} audit --approval $ID": Expect(
        contains=("verification", "execution", "executing", "decision", "refused", "request")
    ),
    f"{CLI} audit verify": Expect(contains=("audit chain intact",)),
}


@dataclass
class Shell:
    env: dict[str, str]
    bin_dir: str
    seen: dict[str, str] = field(default_factory=dict)

    def run(self, line: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        if self.bin_dir != ".venv/bin/":
            line = line.replace(".venv/bin/", self.bin_dir)
        assigned = ASSIGNMENT.match(command_of(line))
        if assigned:
            # Let bash evaluate the assignment, then carry the value to the later commands.
            line = f'{command_of(line)} && printf %s "${assigned["name"]}"'
        proc = subprocess.run(
            ["bash", "-c", line],
            cwd=ROOT,
            env=self.env,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=300,
        )
        if assigned and proc.returncode == 0:
            self.env[assigned["name"]] = self.seen[assigned["name"]] = proc.stdout
        return proc


def _bin_dir() -> str:
    if (ROOT / ".venv" / "bin" / "cloudpilot").exists():
        return ".venv/bin/"
    here = Path(sys.executable).parent
    if not (here / "cloudpilot").exists():
        pytest.skip("no cloudpilot command next to this Python (pip install -e .)")
    return f"{here}/"


@pytest.mark.slow
def test_readme_commands_work_as_written(tmp_path: Path) -> None:
    lines = readme_commands()
    keys: list[str] = []
    for line in lines:
        key = command_of(line)
        keys.append(f"{key}#again" if key in keys else key)
    assert [k for k in keys if k not in EXPECTED] == [], "README commands this test has no expectation for"
    assert [k for k in EXPECTED if k not in keys] == [], "expectations for commands the README no longer has"

    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDPILOT_", "AWS_"))}
    # Wide enough that rich does not wrap the phrases checked below.
    env |= {"CLOUDPILOT_DATA_DIR": str(data_dir), "COLUMNS": "200", "NO_COLOR": "1"}
    shell = Shell(env, _bin_dir())
    try:
        for line, key in zip(lines, keys, strict=True):
            expect = EXPECTED[key]
            proc = shell.run(line, expect.stdin)
            out = proc.stdout
            flat = " ".join(out.split())
            shown = (
                f"$ {line}\n--- exit {proc.returncode}; stdout:\n{out}\n--- stderr:\n{proc.stderr[-3000:]}"
            )
            assert proc.returncode == expect.exit, shown
            for wanted in expect.contains:
                assert wanted in flat, f"{wanted!r} missing\n{shown}"
            for unwanted in expect.absent:
                assert unwanted not in flat, f"{unwanted!r} present\n{shown}"
            if expect.check is not None:
                expect.check(out, shell.seen)
        # The sandbox the commands started belongs to this data dir, and `sandbox stop` says so.
        stop = shell.run(f"{CLI} sandbox stop")
        assert stop.returncode == 0 and re.search(
            rf"stopped sandbox pid \d+ on port \d+ \(data dir {re.escape(str(data_dir.resolve()))}\)",
            stop.stdout,
        ), stop.stdout + stop.stderr
        again = shell.run(f"{CLI} sandbox stop")
        assert again.returncode == 1 and f"no sandbox running for {data_dir.resolve()}" in again.stdout
    finally:
        shell.run(f"{CLI} sandbox stop")


def test_the_readme_quotes_the_figures_its_commands_print() -> None:
    """The prose on which data answers names the EC2 figures the commands above are checked for."""
    text = " ".join(README.read_text().split())
    expected = " ".join(c for e in EXPECTED.values() for c in e.contains)
    for figure in ("$16.04", "$20,994.71"):
        assert f"EC2: {figure}" in text and figure in expected


def test_the_demo_says_which_data_it_answers_from(tmp_path: Path) -> None:
    from bot.terminal.demo import data_note
    from config import load_settings

    demo = data_note(load_settings(data_dir=tmp_path, now="2024-10-15", cost_demo_history=True))
    assert demo.startswith(f"Data: the sandbox AWS account of {tmp_path}, as of 2024-10-15.")
    assert "FOCUS 1.0 sample (September 2024) plus generated history" in demo
    assert "CLOUDPILOT_COST_DEMO_HISTORY=true" in demo
    plain = data_note(load_settings(data_dir=tmp_path))
    assert plain.endswith("Costs: the bundled FOCUS 1.0 sample (September 2024).")
