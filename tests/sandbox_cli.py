"""What the end-to-end CLI tests share: a world-open SSH group planted in a fresh moto account,
a fresh data dir's environment, and the `cloudpilot` command run as a separate process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[1]
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


def plant_open_ssh(endpoint: str) -> str:
    """A security group named "bastion" that allows SSH from anywhere; returns its id."""
    client = ec2(endpoint)
    vpc = client.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    sg = client.create_security_group(GroupName="bastion", Description="bastion", VpcId=vpc)["GroupId"]
    client.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": WORLD}]}],
    )
    return str(sg)


def ssh_open(endpoint: str, group_id: str) -> bool:
    group = ec2(endpoint).describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return any(
        p.get("FromPort") == 22 and any(r.get("CidrIp") == WORLD for r in p.get("IpRanges", []))
        for p in group["IpPermissions"]
    )


def cli_env(data_dir: Path, endpoint: str, **extra: str) -> dict[str, str]:
    """The caller's environment without any CLOUDPILOT_ setting, pointed at `data_dir` and the
    moto account, with bob as the only approver of every action."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLOUDPILOT_")},
        "CLOUDPILOT_DATA_DIR": str(data_dir),
        "CLOUDPILOT_AWS__ENDPOINT_URL": endpoint,
        "CLOUDPILOT_AWS__REGIONS": json.dumps([REGION]),
        "CLOUDPILOT_APPROVALS__RULES": json.dumps([{"actions": ["*"], "users": ["bob"]}]),
        **extra,
    }


def cloudpilot(
    env: dict[str, str], *args: str, failpoint: str | None = None
) -> subprocess.CompletedProcess[str]:
    run_env = dict(env)
    if failpoint:
        run_env["CLOUDPILOT_FAILPOINT"] = failpoint
    return subprocess.run(
        [sys.executable, "-m", "bot.main", *args],
        env=run_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
