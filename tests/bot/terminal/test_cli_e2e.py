"""The README's promises, as separate `cloudpilot` processes sharing one sandbox account."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from config import load_settings
from tools.inventory.aws import AwsClients

FOCUS = Path(__file__).resolve().parents[3] / "tools" / "cost" / "data" / "focus_sample.csv"


@pytest.fixture
def env(tmp_path: Path, fresh_moto: str) -> dict[str, str]:
    from sandbox.seed import seed

    settings = load_settings(data_dir=tmp_path, aws={"endpoint_url": fresh_moto})
    seed(AwsClients(settings.aws))
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLOUDPILOT_")},
        "CLOUDPILOT_DATA_DIR": str(tmp_path / "data"),
        "CLOUDPILOT_AWS__ENDPOINT_URL": fresh_moto,
        "CLOUDPILOT_NOW": "2024-10-15",
        "CLOUDPILOT_APPROVALS__RULES": json.dumps([{"actions": ["*"], "users": ["bob"]}]),
    }


def cloudpilot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ask_json(env: dict[str, str], *args: str) -> dict[str, Any]:
    proc = cloudpilot(env, "ask", "--json", *args)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


def ec2_september_total() -> Decimal:
    total = Decimal(0)
    with FOCUS.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["ServiceName"] == "Amazon Elastic Compute Cloud" and row["ChargePeriodStart"].startswith(
                "2024-09"
            ):
                total += Decimal(row["BilledCost"])
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_ask_json_ec2_last_month(env: dict[str, str]) -> None:
    out = ask_json(env, "how much did we spend on EC2 last month")
    assert set(out) == {"tool_calls", "answer", "data", "approval"}
    assert out["tool_calls"][0]["name"] == "cost_query"
    assert out["tool_calls"][0]["args"]["period"] == "last_month"
    assert Decimal(str(out["data"]["total"])) == ec2_september_total()
    assert f"{ec2_september_total()}" in out["answer"]
    assert out["approval"] is None


def open_ssh_group(env: dict[str, str]) -> tuple[str, str]:
    aws = AwsClients(load_settings(aws={"endpoint_url": env["CLOUDPILOT_AWS__ENDPOINT_URL"]}).aws)
    for region in aws.regions:
        for sg in aws.client("ec2", region).describe_security_groups()["SecurityGroups"]:
            for perm in sg["IpPermissions"]:
                if perm.get("FromPort") == 22 and any(
                    r["CidrIp"] == "0.0.0.0/0" for r in perm.get("IpRanges", [])
                ):
                    return sg["GroupId"], region
    raise AssertionError("the sandbox has no security group open on 22")


def ssh_open(env: dict[str, str], group_id: str, region: str) -> bool:
    aws = AwsClients(load_settings(aws={"endpoint_url": env["CLOUDPILOT_AWS__ENDPOINT_URL"]}).aws)
    sg = aws.client("ec2", region).describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return any(
        p.get("FromPort") == 22 and any(r["CidrIp"] == "0.0.0.0/0" for r in p.get("IpRanges", []))
        for p in sg["IpPermissions"]
    )


def test_remediation_needs_someone_elses_approval(env: dict[str, str]) -> None:
    group_id, region = open_ssh_group(env)
    out = ask_json(env, "--as", "alice", f"close port 22 to the world on {group_id}")
    assert out["tool_calls"] == [{"name": "remediate", "args": out["tool_calls"][0]["args"]}]
    approval = out["approval"]
    assert approval["status"] == "pending" and approval["resource_id"] == group_id
    assert approval["plan"]["changes"], "the dry run lists what will change"
    assert ssh_open(env, group_id, region), "nothing changes before approval"

    own = cloudpilot(env, "approvals", "approve", approval["id"], "--as", "alice")
    assert own.returncode == 1 and "four eyes" in own.stdout
    assert ssh_open(env, group_id, region)

    ok = cloudpilot(env, "approvals", "approve", approval["id"], "--as", "bob")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Executed" in ok.stdout
    assert not ssh_open(env, group_id, region)

    again = cloudpilot(env, "approvals", "approve", approval["id"], "--as", "bob")
    assert again.returncode == 1 and "already executed" in again.stdout

    audit = json.loads(cloudpilot(env, "audit", "--json", "--approval", approval["id"]).stdout)
    assert [r["kind"] for r in reversed(audit)] == [  # newest first
        "request",
        "refused",
        "decision",
        "executing",
        "execution",
        "verification",
        "attempt",  # bob's second approve, on a request already executed
    ]
    listed = json.loads(cloudpilot(env, "approvals", "list", "--json").stdout)
    assert [(a["id"], a["status"]) for a in listed] == [(approval["id"], "executed")]


def test_every_capability_from_the_terminal(env: dict[str, str]) -> None:
    runbook = ask_json(env, "what is our runbook for a full disk on a database host?")
    assert runbook["tool_calls"][0]["name"] == "search_knowledge"
    assert runbook["data"]["passages"] and runbook["data"]["passages"][0]["source"].endswith(".md")
    off_topic = ask_json(env, "who won the football world cup in 1966?")
    assert "no source found" in off_topic["answer"].lower()

    tf = ask_json(env, "write Terraform for a private S3 bucket with versioning")
    assert tf["tool_calls"][0]["name"] == "generate_iac"
    k8s = ask_json(env, "a Kubernetes deployment for nginx with 3 replicas and a service")
    assert k8s["tool_calls"][0]["name"] == "generate_iac"

    for question, tool in (
        ("break down last month by service", "cost_query"),
        ("any cost spikes recently?", "cost_anomalies"),
        ("what will we spend this month?", "cost_forecast"),
        ("where can we save money?", "savings_opportunities"),
    ):
        out = ask_json(env, question)
        assert [c["name"] for c in out["tool_calls"]] == [tool], out["tool_calls"]
        assert out["answer"].strip()
    # The sandbox carries each kind of waste the savings check looks for.
    kinds = {f["kind"] for f in out["data"]["findings"]}
    assert kinds == {
        "idle_instance",
        "unattached_volume",
        "unassociated_address",
        "old_snapshot",
        "gp2_volume",
    }
    assert "batch-runner-old" in out["answer"]

    text = cloudpilot(env, "ask", "write Terraform for a private S3 bucket with versioning")
    assert text.returncode == 0 and "aws_s3_bucket_versioning" in text.stdout
