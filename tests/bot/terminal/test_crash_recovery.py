"""kill -9 of the `cloudpilot` process at every step of an approval, then the reconciler.

Each case stops a real CLI process with SIGKILL at one named step (config/failpoints.py) between
request, decision, execution and verification, and checks that after `approvals reconcile` the
request ended executed (the change made once) or failed (nothing changed), never stuck, with its
audit chain intact.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest

from config.failpoints import POINTS
from tests.sandbox_cli import cli_env, cloudpilot, plant_open_ssh, ssh_open


@pytest.fixture
def world_open_ssh(fresh_moto: str) -> str:
    return plant_open_ssh(fresh_moto)


@pytest.fixture
def env(tmp_path: Path, fresh_moto: str) -> dict[str, str]:
    # The next command may finish the interrupted one at once (no live process to wait for).
    return cli_env(tmp_path / "data", fresh_moto, CLOUDPILOT_APPROVALS__RECONCILE_GRACE_S="0")


def approvals(env: dict[str, str]) -> list[dict[str, Any]]:
    proc = cloudpilot(env, "approvals", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    out: list[dict[str, Any]] = json.loads(proc.stdout)
    return out


def audit_kinds(env: dict[str, str], approval_id: str) -> list[str]:
    proc = cloudpilot(env, "audit", "--approval", approval_id, "--json", "--limit", "100")
    assert proc.returncode == 0, proc.stderr
    records: list[dict[str, Any]] = json.loads(proc.stdout)
    return [r["kind"] for r in sorted(records, key=lambda r: r["id"])]


ASK = ("ask", "--as", "alice", "--json")


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_killed_at_every_step_ends_executed_once_or_failed(
    point: str, env: dict[str, str], fresh_moto: str, world_open_ssh: str
) -> None:
    sg = world_open_ssh
    request = f"close port 22 to the world on {sg}"
    if point == "after_request":
        killed = cloudpilot(env, *ASK, request, failpoint=point)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        [pending] = approvals(env)
        approval_id = pending["id"]
        assert pending["status"] == "pending"
        # The approval's graph never reached its gate; the decision still executes it once.
        decided = cloudpilot(env, "approvals", "approve", approval_id, "--as", "bob")
        assert decided.returncode == 0, decided.stdout + decided.stderr
    else:
        asked = cloudpilot(env, *ASK, request)
        assert asked.returncode == 0, asked.stderr
        approval_id = json.loads(asked.stdout)["approval"]["id"]
        killed = cloudpilot(env, "approvals", "approve", approval_id, "--as", "bob", failpoint=point)
        assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
        reconciled = cloudpilot(env, "approvals", "reconcile")
        assert reconciled.returncode == 0, reconciled.stderr

    [final] = approvals(env)
    kinds = audit_kinds(env, approval_id)
    assert kinds[:2] == ["request", "decision"], kinds
    if point == "after_claim":
        # Killed before the cloud call: nothing changed, and the request says so.
        assert final["status"] == "failed", final
        assert ssh_open(fresh_moto, sg)
        assert "execution" not in kinds and kinds[-1] == "failed", kinds
    else:
        assert final["status"] == "executed", final
        assert not ssh_open(fresh_moto, sg)
        assert kinds.count("execution") == 1, kinds
        assert kinds[-1] == "verification", kinds
    # Nothing is left for a later round, and a second reconcile changes nothing.
    again = cloudpilot(env, "approvals", "reconcile")
    assert again.stdout.strip() == "Nothing to reconcile.", again.stdout
    verified = cloudpilot(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
