"""Terminal tables fit the console: records below the table's width, ids and severities never cut."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console

from agent.api import Table
from agent.messages import ApprovalView, Reply
from bot.terminal.render import approvals_table, render_reply, rich_table

FINDING_IDS = ["f-3c9e1a7b2d4f", "f-77b0c2e19a35", "f-0d41e8c6b2aa"]
RESOURCES = ["sg-0a1b2c3d4e5f67890", "arn:aws:iam::123456789012:role/ci-deployer", "i-0fedcba9876543210"]
FINDINGS = Table(
    title="Findings",
    columns=["severity", "rule", "resource", "region", "detail", "status", "fix", "finding id"],
    rows=[
        [
            "critical",
            "sg-open-ssh",
            RESOURCES[0],
            "us-east-1",
            f"Security group {RESOURCES[0]} allows 0.0.0.0/0 inbound on port 22 (SSH)",
            "open",
            "Restrict ingress to the bastion CIDR",
            FINDING_IDS[0],
        ],
        [
            "high",
            "iam-role-admin",
            RESOURCES[1],
            "global",
            "Role has AdministratorAccess attached",
            "open",
            "Scope the policy to the needed actions",
            FINDING_IDS[1],
        ],
        [
            "medium",
            "ebs-unencrypted",
            RESOURCES[2],
            "eu-west-1",
            "Instance root volume is not encrypted",
            "acknowledged",
            "Enable EBS default encryption",
            FINDING_IDS[2],
        ],
    ],
)

APPROVAL_IDS = ["ap-8808c1d2e3f4a5b6", "ap-1f2e3d4c5b6a7980"]
APPROVALS = [
    ApprovalView(
        id=APPROVAL_IDS[0],
        action="restrict_security_group",
        resource_id="sg-0a1b2c3d4e5f67890",
        plan={},
        status="pending",
        requester="alice@example.com",
        approvers=["bob@example.com"],
        expires_at=datetime(2025, 1, 2, 3, 4),
    ),
    ApprovalView(
        id=APPROVAL_IDS[1],
        action="stop_instance",
        resource_id="i-0fedcba9876543210",
        plan={},
        status="approved",
        requester="carol@example.com",
        decided_by="bob@example.com",
    ),
]


def _render(renderable: object, width: int) -> list[str]:
    console = Console(width=width, record=True, force_terminal=False)
    console.print(renderable)
    return console.export_text().splitlines()


def test_findings_at_80_columns_become_records_with_whole_ids() -> None:
    lines = _render(rich_table(FINDINGS), 80)
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    for token in [*FINDING_IDS, *RESOURCES, "critical", "acknowledged", "us-east-1"]:
        assert any(token in line for line in lines), token
    # one record per finding, headed by its id, its fields as `  column: value`
    assert FINDING_IDS[0] in lines
    assert "  severity: critical" in lines
    assert "  resource: arn:aws:iam::123456789012:role/ci-deployer" in lines
    assert not any(line.startswith(("┃", "│", "┏")) for line in lines)
    # no mid-word fold: every line's words are words of the source values
    source_words = {w for row in FINDINGS.rows for v in row for w in str(v).split()}
    source_words |= {f"{c}:" for c in FINDINGS.columns} | {"finding", "Findings"}
    for line in lines:
        for word in line.split():
            assert word in source_words, (word, line)


def test_findings_at_160_columns_are_a_table() -> None:
    lines = _render(rich_table(FINDINGS), 160)
    assert all(len(line) <= 160 for line in lines)
    header = next(line for line in lines if "severity" in line)
    assert header.startswith("┃") and header.rstrip().endswith("┃")
    for col in FINDINGS.columns:
        assert col in header
    for token in [*FINDING_IDS, *RESOURCES, "critical", "acknowledged"]:
        assert any(token in line for line in lines), token
    # text columns wrap at spaces, never inside an id
    assert any("sg-0a1b2c3d4e5f67890" in line and "│" in line for line in lines)


def test_small_table_stays_a_table_at_80_columns() -> None:
    small = Table(columns=["region", "count"], rows=[["us-east-1", 3], ["eu-west-1", 12]], numeric=[1])
    lines = _render(rich_table(small), 80)
    assert any(line.startswith("┃") and "region" in line for line in lines)
    assert any("│ us-east-1 │     3 │" in line for line in lines)


def test_approvals_at_80_columns_show_full_ids() -> None:
    lines = _render(approvals_table(APPROVALS), 80)
    assert all(len(line) <= 80 for line in lines)
    for approval_id in APPROVAL_IDS:
        assert approval_id in lines  # the record header is the whole, copyable id
    assert not any("…" in line for line in lines)
    assert "  decided by: bob@example.com" in lines


def test_approvals_ids_are_whole_at_every_width() -> None:
    for width in (40, 60, 80, 100, 120, 140, 160, 200):
        text = "\n".join(_render(approvals_table(APPROVALS), width))
        for approval_id in APPROVAL_IDS:
            assert approval_id in text, (width, approval_id)
        assert "…" not in text


def test_approvals_at_160_columns_are_a_table() -> None:
    lines = _render(approvals_table(APPROVALS), 160)
    assert any(line.startswith("│ " + APPROVAL_IDS[0]) for line in lines)


def test_render_reply_uses_the_console_width() -> None:
    console = Console(width=80, record=True, force_terminal=False)
    render_reply(console, Reply(text="3 findings", tables=[FINDINGS]))
    lines = console.export_text().splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert all(any(fid in line for line in lines) for fid in FINDING_IDS)


def test_long_detail_wraps_at_spaces_under_its_key() -> None:
    table = Table(
        columns=["id", "detail"],
        rows=[["f-1", " ".join(["word"] * 40) + " arn:aws:s3:::a-very-long-bucket-name-for-testing-wraps"]],
    )
    lines = _render(rich_table(table), 40)
    assert all(len(line) <= 40 for line in lines), lines
    assert lines[0] == "f-1"
    assert lines[1].startswith("  detail: word")
    assert all(line.startswith("    ") for line in lines[2:])
    # an id longer than the line itself is split, never cropped: every character is still there
    tail = "".join(line.strip() for line in lines[1:] if not line.strip().startswith(("detail:", "word")))
    assert tail == "arn:aws:s3:::a-very-long-bucket-name-for-testing-wraps"


def test_id_that_fits_the_line_is_never_split() -> None:
    arn = "arn:aws:iam::123456789012:role/service-role/a-rather-long-name"
    table = Table(columns=["id", "detail"], rows=[["f-1", f"Role {arn} is unused"]])
    lines = _render(rich_table(table), len(arn) + 4)
    assert any(arn in line for line in lines), lines
