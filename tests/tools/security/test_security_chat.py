"""End to end from the terminal's turn API, with the offline planner and the real tools on moto:

"Are any buckets public?" -> findings -> "fix it" -> approval -> applied -> verified -> the finding
is resolved by the next scan; and suppress -> approval -> audited, score, "what changed".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.messages import ChatMessage, Reply
from agent.runtime import Runtime
from agent.turn import Agent
from config import Settings, load_settings
from store.findings import FindingStore
from tests.conftest import REGIONS, reset_moto
from tools.inventory.aws import AwsClients

LEAKY = "acme-leaky-site"
PRIVATE = "acme-private-docs"
FULL_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def tls_only(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


@pytest.fixture(scope="module")
def account(moto_endpoint: str) -> str:
    """Two buckets, both encrypted, versioned and TLS-only: one private (public access blocked, ACLs
    off), one readable by anyone through its ACL."""
    reset_moto(moto_endpoint)
    s3 = AwsClients(load_settings(aws={"endpoint_url": moto_endpoint, "regions": REGIONS}).aws).client("s3")
    for name in (LEAKY, PRIVATE):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_policy(Bucket=name, Policy=tls_only(name))
    s3.put_bucket_acl(Bucket=LEAKY, ACL="public-read")
    s3.put_public_access_block(Bucket=PRIVATE, PublicAccessBlockConfiguration=FULL_BLOCK)
    s3.put_bucket_ownership_controls(
        Bucket=PRIVATE, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    return moto_endpoint


@pytest.fixture
def agent(account: str, tmp_path: Path) -> Iterator[Agent]:
    settings: Settings = load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15T09:00:00",
        aws={"mode": "sandbox", "endpoint_url": account, "regions": REGIONS},
        approvals={"rules": [{"actions": ["*"], "users": ["bob"]}]},
    )
    rt = Runtime.build(settings)
    yield Agent(rt)
    rt.close()


def say(agent: Agent, text: str, user: str = "alice") -> Reply:
    return agent.handle(ChatMessage(user=user, channel="cli", thread="sec", text=text))


def findings_of(reply: Reply) -> list[dict[str, Any]]:
    data = reply.data if isinstance(reply.data, dict) else {}
    return list(data.get("findings", []))


def above_low(findings: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(rule, resource) of the findings that matter here: low ones are optional hardening (access
    logging, Object Lock, lifecycle, MFA delete, KMS keys) that a correctly configured bucket may lack."""
    return {(f["rule_id"], f["resource_id"]) for f in findings if f["severity"] != "low"}


def block_state(agent: Agent) -> Any:
    s3 = agent.rt.ctx.aws.client("s3")
    try:
        return s3.get_public_access_block(Bucket=LEAKY)["PublicAccessBlockConfiguration"]
    except s3.exceptions.ClientError:
        return None


def test_public_bucket_found_fixed_verified_resolved(agent: Agent) -> None:
    asked = say(agent, "Are any buckets public?")
    assert [(c.name, c.args) for c in asked.tool_calls] == [("security_scan", {"services": ["s3"]})]
    found = findings_of(asked)
    public = [f for f in found if f["rule_id"] == "s3-bucket-public"]
    assert [f["resource_id"] for f in public] == [LEAKY]
    assert "AllUsers" in public[0]["detail"] and public[0]["remediation_action"] == "block_public_access"
    # The private bucket is configured correctly: at most optional low-severity hardening on it.
    assert {f["severity"] for f in found if f["resource_id"] == PRIVATE} <= {"low"}
    assert above_low(found) == {
        ("s3-bucket-public", LEAKY),
        ("s3-bucket-public-list-acl", LEAKY),
        ("s3-bucket-public-access-block", LEAKY),
        ("s3-bucket-acls-enabled", LEAKY),
        ("s3-account-public-access-block", "account-public-access-block"),
    }
    # A yes/no question: the answer leads with the verdict and its evidence, then the summary.
    verdict, summary = asked.text.split("\n", 1)
    assert verdict.startswith("Yes: S3 bucket is publicly accessible — acme-leaky-site")
    low = sum(f["severity"] == "low" for f in found)
    assert summary.startswith(f"{len(found)} findings: 2 critical, 1 high, 2 medium, {low} low")

    # The bucket's public findings are all fixed by the same call, so "fix it" needs no clarification.
    fix = say(agent, "fix it")
    assert [(c.name, c.args) for c in fix.tool_calls] == [
        ("remediate", {"action": "block_public_access", "resource_id": LEAKY, "region": "us-east-1"})
    ]
    assert fix.approval is not None and fix.approval.status == "pending"
    assert len(fix.approval.plan["changes"]) == 4 and "bob" in fix.approval.approvers
    assert block_state(agent) is None, "nothing changes before the approval"

    refused = agent.decide(fix.approval.id, "alice", approve=True)
    assert not refused.ok and "four eyes" in refused.text and block_state(agent) is None

    done = agent.decide(fix.approval.id, "bob", approve=True)
    assert done.ok, done.text
    assert done.approval is not None and done.approval.status == "executed"
    assert (
        "Verification: Block Public Access is fully on" in done.text
        and "s3-bucket-public now passes" in done.text
    )
    assert block_state(agent) == FULL_BLOCK
    assert [r.kind for r in agent.audit(fix.approval.id)] == [
        "request",
        "refused",
        "decision",
        "executing",
        "execution",
        "verification",
    ]

    again = say(agent, "are any buckets public?")
    assert "3 resolved since the last scan" in again.text
    # Nothing public is left; the account-wide block is a person's call, and the bucket's ACLs stay
    # enabled (blocking public access does not change Object Ownership).
    assert above_low(findings_of(again)) == {
        ("s3-account-public-access-block", "account-public-access-block"),
        ("s3-bucket-acls-enabled", LEAKY),
    }
    resolved = FindingStore(agent.rt.store).list(status="resolved")
    assert {(f.rule_id, f.resource_id) for f in resolved} == {
        ("s3-bucket-public", LEAKY),
        ("s3-bucket-public-list-acl", LEAKY),
        ("s3-bucket-public-access-block", LEAKY),
    }


def test_suppress_score_and_changes_in_chat(agent: Agent) -> None:
    empty = say(agent, "what's our CIS score?")
    assert [c.name for c in empty.tool_calls] == [
        "security_score"
    ] and "Run security_scan first" in empty.text
    scanned = say(agent, "run a security scan of s3")
    account_block = next(f for f in findings_of(scanned) if f["rule_id"] == "s3-account-public-access-block")
    assert account_block["remediation_action"] is None  # account-wide: left to a person

    score = say(agent, "what's our CIS score?")
    assert [(c.name, c.args) for c in score.tool_calls] == [("security_score", {"framework": "cis"})]
    assert score.text.startswith("CIS AWS Foundations Benchmark v3.0.0: ")

    ask = say(
        agent,
        f"suppress finding {account_block['id']} for 2 weeks because the site bucket is public by design",
    )
    assert [(c.name, c.args) for c in ask.tool_calls] == [
        (
            "suppress_finding",
            {"finding_id": account_block["id"], "reason": "the site bucket is public by design", "days": 14},
        )
    ]
    assert ask.approval is not None and ask.approval.status == "pending"
    assert "until 2024-10-29" in ask.approval.plan["summary"]
    stored = FindingStore(agent.rt.store).get(account_block["id"])
    assert stored is not None and stored.status.value == "open"

    done = agent.decide(ask.approval.id, "bob", approve=True)
    assert done.ok, done.text
    stored = FindingStore(agent.rt.store).get(account_block["id"])
    assert stored is not None and stored.status.value == "suppressed"
    assert stored.suppressed_reason == "the site bucket is public by design"
    audit = agent.audit(ask.approval.id)
    assert [r.kind for r in audit] == [
        "request",
        "decision",
        "executing",
        "suppression",
        "execution",
        "verification",
    ]
    suppression = next(r for r in audit if r.kind == "suppression")
    assert suppression.actor == "alice" and suppression.detail["approved_by"] == "bob"

    rescanned = say(agent, "run a security scan of s3")
    assert "1 suppressed not counted" in rescanned.text
    changes = say(agent, "what changed since the last scan?")
    assert [c.name for c in changes.tool_calls] == ["scan_changes"]
    assert "no new findings" in changes.text and "none resolved" in changes.text

    which = say(agent, "suppress it for 30 days")
    assert not which.tool_calls and "Which finding" in which.text

    # Lifting it early goes through the same gate, and the finding counts again.
    early = say(
        agent, f"lift the suppression on finding {account_block['id']} because the site moved to CloudFront"
    )
    assert [(c.name, c.args) for c in early.tool_calls] == [
        (
            "unsuppress_finding",
            {"finding_id": account_block["id"], "reason": "the site moved to CloudFront"},
        )
    ]
    assert early.approval is not None and "suppressed until 2024-10-29" in early.approval.plan["summary"]
    stored = FindingStore(agent.rt.store).get(account_block["id"])
    assert stored is not None and stored.status.value == "suppressed", "nothing changes before the approval"
    assert not agent.decide(early.approval.id, "alice", approve=True).ok
    lifted = agent.decide(early.approval.id, "bob", approve=True)
    assert lifted.ok, lifted.text
    stored = FindingStore(agent.rt.store).get(account_block["id"])
    assert stored is not None and stored.status.value == "open"
    assert [r.kind for r in agent.audit(early.approval.id)] == [
        "request",
        "refused",
        "decision",
        "executing",
        "unsuppression",
        "execution",
        "verification",
    ]
    again = say(agent, f"unsuppress finding {account_block['id']}")
    assert again.approval is None or again.approval.status != "pending"
    assert "not suppressed" in again.text
    unknown = say(agent, "unmute it")
    assert not unknown.tool_calls and "Which finding" in unknown.text
