"""`cloudpilot scan` (a security scan with progress) and `cloudpilot approvals show`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from agent.messages import ApprovalView
from bot.main import cli
from bot.terminal import cli as terminal_cli
from bot.terminal.render import ProgressLine, approval_details
from config import load_settings
from tools.inventory.aws import AwsClients


@pytest.fixture
def seeded(tmp_path: Path, fresh_moto: str) -> dict[str, str]:
    from sandbox.seed import seed

    seed(AwsClients(load_settings(data_dir=tmp_path, aws={"endpoint_url": fresh_moto}).aws))
    return {"CLOUDPILOT_DATA_DIR": str(tmp_path / "data"), "CLOUDPILOT_AWS__ENDPOINT_URL": fresh_moto}


def test_scan_asks_for_a_security_scan_of_the_scope_with_progress(
    seeded: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(terminal_cli, "ProgressLine", partial(ProgressLine, delay_s=0, every_s=0))
    result = CliRunner().invoke(cli, ["scan", "s3", "in", "us-east-1", "--json"], env=seeded)
    assert result.exit_code == 0, result.output
    reply = json.loads(result.stdout)
    assert reply["tool_calls"] == [
        {"name": "security_scan", "args": {"services": ["s3"], "regions": ["us-east-1"]}}
    ]
    assert "reading resources 0/" in result.stderr and result.stderr.rstrip().endswith("done")


def _view(status: str) -> ApprovalView:
    return ApprovalView(
        id="ap-12345678",
        action="revoke_ingress",
        resource_id="sg-0123456789abcdef0",
        plan={"summary": "Close port 22 to the world", "changes": ["revoke tcp/22 from 0.0.0.0/0"]},
        status=status,
        requester="alice",
        approvers=["bob", "carol"],
        expires_at=datetime(2024, 10, 15, 10, 0, tzinfo=UTC),
        decided_by="bob" if status != "pending" else None,
    )


def test_approval_details_whatever_the_status() -> None:
    console = Console(record=True, width=100)
    console.print(approval_details(_view("pending")))
    pending = console.export_text()
    assert "Close port 22 to the world" in pending and "revoke tcp/22 from 0.0.0.0/0" in pending
    assert "Approve: cloudpilot approvals approve ap-12345678" in pending
    console = Console(record=True, width=100)
    console.print(approval_details(_view("executed")))
    done = console.export_text()
    assert "Status: executed" in done and "Decided by: bob" in done and "Approve:" not in done
    assert "cloudpilot audit --approval ap-12345678" in done
