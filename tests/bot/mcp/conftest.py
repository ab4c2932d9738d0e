"""A sandbox account with one planted misconfiguration (SSH open to the world on a security group),
a fresh data dir, and the `cloudpilot` command as separate processes, for the MCP server tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox_cli import ROOT, cli_env, cloudpilot, plant_open_ssh, ssh_open

__all__ = ["ROOT", "audit", "cloudpilot", "ssh_open"]


@pytest.fixture
def open_ssh_group(fresh_moto: str) -> str:
    return plant_open_ssh(fresh_moto)


@pytest.fixture
def env(tmp_path: Path, fresh_moto: str) -> dict[str, str]:
    return cli_env(tmp_path / "data", fresh_moto, CLOUDPILOT_NOW="2024-10-15")


def audit(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    """Audit records, oldest first."""
    proc = cloudpilot(env, "audit", "--json", "--limit", "500", *args)
    assert proc.returncode == 0, proc.stderr
    records: list[dict[str, Any]] = json.loads(proc.stdout)
    return sorted(records, key=lambda r: r["id"])
