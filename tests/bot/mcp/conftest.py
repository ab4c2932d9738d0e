"""A sandbox account with one planted misconfiguration (SSH open to the world on a security group),
a fresh data dir, and the `cloudpilot` command as separate processes, for the MCP server tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[3]
REGION = "us-east-1"
WORLD = "0.0.0.0/0"


def ec2(endpoint: str) -> Any:
    return boto3.client(
        "ec2",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def open_ssh_group(fresh_moto: str) -> str:
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
        "CLOUDPILOT_NOW": "2024-10-15",
        "CLOUDPILOT_AWS__ENDPOINT_URL": fresh_moto,
        "CLOUDPILOT_AWS__REGIONS": json.dumps([REGION]),
        "CLOUDPILOT_APPROVALS__RULES": json.dumps([{"actions": ["*"], "users": ["bob"]}]),
    }


def ssh_open(endpoint: str, group_id: str) -> bool:
    group = ec2(endpoint).describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return any(
        p.get("FromPort") == 22 and any(r.get("CidrIp") == WORLD for r in p.get("IpRanges", []))
        for p in group["IpPermissions"]
    )


def cloudpilot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.main", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def audit(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    """Audit records, oldest first."""
    proc = cloudpilot(env, "audit", "--json", "--limit", "500", *args)
    assert proc.returncode == 0, proc.stderr
    records: list[dict[str, Any]] = json.loads(proc.stdout)
    return sorted(records, key=lambda r: r["id"])
