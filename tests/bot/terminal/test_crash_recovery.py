"""kill -9 of the `cloudpilot` process at every step of an approval, then the reconciler.

Each case stops a real CLI process with SIGKILL at one named step (config/failpoints.py) between
request, decision, execution and verification, and checks that after `approvals reconcile` the
request ended executed (the change made once) or failed (nothing changed), never stuck, with its
audit chain intact.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from config.failpoints import POINTS

REGION = "us-east-1"
WORLD = "0.0.0.0/0"


def cloudpilot(
    env: dict[str, str], *args: str, failpoint: str | None = None
) -> subprocess.CompletedProcess[str]:
    run_env = dict(env)
    if failpoint:
        run_env["CLOUDPILOT_FAILPOINT"] = failpoint
    return subprocess.run(
        [sys.executable, "-m", "bot.main", *args], env=run_env, capture_output=True, text=True, timeout=180
    )


def ec2(endpoint: str) -> Any:
    return boto3.client(
        "ec2",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def world_open_ssh(fresh_moto: str) -> str:
    client = ec2(fresh_moto)
    vpc = client.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    sg = client.create_security_group(GroupName="bastion", Description="bastion", VpcId=vpc)["GroupId"]
    client.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": WORLD}]}],
    )
    return str(sg)


@pytest.fixture
def env(tmp_path: Path, fresh_moto: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLOUDPILOT_")},
        "CLOUDPILOT_DATA_DIR": str(tmp_path / "data"),
        "CLOUDPILOT_AWS__ENDPOINT_URL": fresh_moto,
        "CLOUDPILOT_AWS__REGIONS": json.dumps([REGION]),
        "CLOUDPILOT_APPROVALS__RULES": json.dumps([{"actions": ["*"], "users": ["bob"]}]),
        # The next command may finish the interrupted one at once (no live process to wait for).
        "CLOUDPILOT_APPROVALS__RECONCILE_GRACE_S": "0",
    }


def ssh_open(endpoint: str, sg: str) -> bool:
    group = ec2(endpoint).describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]
    return any(
        p.get("FromPort") == 22 and any(r.get("CidrIp") == WORLD for r in p.get("IpRanges", []))
        for p in group["IpPermissions"]
    )


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
