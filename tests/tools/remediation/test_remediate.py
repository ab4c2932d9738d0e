"""remediate: dry-run plans, apply, verify and repeat, against moto."""

from __future__ import annotations

import itertools
import json
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import ValidationError

from store import Store
from tests.conftest import make_settings, reset_moto
from tools.base import ChangePlan, ToolContext, ToolStatus, UserFacingError
from tools.inventory.aws import AwsClients
from tools.remediation.registry import ACTIONS, get_action
from tools.remediation.remediate import Remediate, RemediateInput
from tools.security.rules import all_rules, get_rule
from tools.security.security_scan import SecurityScan, SecurityScanInput

REGION = "eu-west-1"
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def ctx(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolContext]:
    """One clean account for the module; each test plants its own, uniquely named resources."""
    reset_moto(moto_endpoint)
    settings = make_settings(tmp_path_factory.mktemp("remediate"), moto_endpoint)
    store = Store(settings.sqlalchemy_url)
    yield ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)
    store.close()


@dataclass
class Planted:
    group_id: str
    group_name: str
    bucket: str


@pytest.fixture
def planted(ctx: ToolContext) -> Planted:
    n = next(_serial)
    ec2 = ctx.aws.client("ec2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    name = f"legacy-admin-{n}"
    sg = ec2.create_security_group(GroupName=name, Description="legacy", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            },
            {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ],
    )
    s3 = ctx.aws.client("s3", REGION)
    bucket = f"acme-leaky-exports-{n}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    }
                ],
            }
        ),
    )
    return Planted(sg, name, bucket)


def ingress(ctx: ToolContext, group_id: str) -> Any:
    return ctx.aws.client("ec2", REGION).describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0][
        "IpPermissions"
    ]


def bucket_state(ctx: ToolContext, bucket: str) -> Any:
    s3 = ctx.aws.client("s3", REGION)
    try:
        pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except s3.exceptions.ClientError:
        pab = None
    return pab, s3.get_bucket_acl(Bucket=bucket)["Grants"], s3.get_bucket_policy(Bucket=bucket)["Policy"]


def args(**kw: Any) -> RemediateInput:
    return Remediate().parse(kw)


def test_metadata() -> None:
    tool = Remediate()
    assert tool.mutating is True
    assert {"ec2:RevokeSecurityGroupIngress", "s3:PutBucketPublicAccessBlock"} <= set(tool.permissions)
    assert not hasattr(tool, "run")
    assert len(ACTIONS) >= 13
    for name, cls in ACTIONS.items():
        assert cls.name == name and cls.description and cls.permissions
        if cls.rule is not None:
            assert cls.rule.remediation_action == name
            assert get_rule(cls.rule.id) is not None
    # Every action a rule names exists, and the tool's input accepts exactly the registered actions.
    named = {r.remediation_action for r in all_rules() if r.remediation_action}
    assert named <= set(ACTIONS)
    assert set(typing.get_args(RemediateInput.model_fields["action"].annotation)) == set(ACTIONS)


def test_revoke_ingress_plan_apply_verify_repeat(ctx: ToolContext, planted: Planted) -> None:
    tool = Remediate()
    a = args(action="revoke_ingress", resource_id=planted.group_id, params={"port": 22, "cidr": "0.0.0.0/0"})
    before = ingress(ctx, planted.group_id)
    plan = tool.plan(ctx, a)
    assert ingress(ctx, planted.group_id) == before  # the dry run changed nothing
    assert plan.applicable and plan.region == REGION  # found without being told the region
    assert plan.changes == [f"revoke ingress tcp 22 from 0.0.0.0/0 on {planted.group_id} ({REGION})"]
    assert plan.account == "123456789012" and plan.resource_id == planted.group_id

    result = tool.apply(ctx, a, plan, idempotency_key="ap-1")
    assert result.status == ToolStatus.OK and result.applied
    assert result.changed == plan.changes and result.unchanged == []
    assert result.verification is not None and result.verification.ok
    # Only the planned rule went; the rule still fails on what this change did not cover.
    assert "ec2-sg-open-admin-ports still fails" in result.verification.message
    left = {(p["FromPort"], r["CidrIp"]) for p in ingress(ctx, planted.group_id) for r in p["IpRanges"]}
    assert left == {(3389, "0.0.0.0/0"), (443, "0.0.0.0/0")}

    again = tool.apply(ctx, a, plan, idempotency_key="ap-1")
    assert again.status == ToolStatus.OK and again.changed == []
    assert again.unchanged == [plan.changes[0] + ": already revoked"]
    assert tool.verify(ctx, a, plan).ok
    assert not tool.plan(ctx, a).applicable


def test_revoke_all_world_admin_access(ctx: ToolContext, planted: Planted) -> None:
    tool = Remediate()
    a = args(action="revoke_ingress", resource_id=planted.group_name, region=REGION)  # by name
    plan = tool.plan(ctx, a)
    assert sorted(plan.changes) == sorted(
        f"revoke ingress {rule} on {planted.group_id} ({REGION})"
        for rule in ("tcp 22 from 0.0.0.0/0", "tcp 22 from ::/0", "tcp 3389 from 0.0.0.0/0")
    )
    result = tool.apply(ctx, a, plan, idempotency_key="ap-2")
    assert result.verification is not None and result.verification.ok
    assert "ec2-sg-open-admin-ports now passes" in result.verification.message
    assert [p["FromPort"] for p in ingress(ctx, planted.group_id)] == [443]


def test_block_public_access_plan_apply_verify_repeat(ctx: ToolContext, planted: Planted) -> None:
    tool = Remediate()
    a = args(action="block_public_access", resource_id=planted.bucket)
    before = bucket_state(ctx, planted.bucket)
    plan = tool.plan(ctx, a)
    assert bucket_state(ctx, planted.bucket) == before
    assert before[0] is None
    assert plan.applicable and plan.region == REGION
    assert plan.changes == [
        f"set {s}=true on bucket {planted.bucket} ({REGION})"
        for s in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    ]
    assert "AllUsers" in plan.summary

    result = tool.apply(ctx, a, plan, idempotency_key="ap-3")
    assert result.changed == plan.changes
    assert result.verification is not None and result.verification.ok
    assert "s3-bucket-public now passes" in result.verification.message
    assert all(bucket_state(ctx, planted.bucket)[0].values())

    again = tool.apply(ctx, a, plan, idempotency_key="ap-3")
    assert again.status == ToolStatus.OK and again.changed == [] and len(again.unchanged) == 4
    done = tool.plan(ctx, a)
    assert not done.applicable and "already fully on" in done.summary
    untouched = tool.apply(ctx, a, done, idempotency_key="ap-4")
    assert not untouched.applied and untouched.verification is not None and untouched.verification.ok


def test_scan_remediate_rescan_resolves(ctx: ToolContext, planted: Planted) -> None:
    scan = SecurityScan()
    first = scan.run(ctx, SecurityScanInput(services=["s3", "ec2"]))
    mine = (planted.group_id, planted.bucket)
    public = [
        f
        for f in first.findings
        if f.rule_id in ("s3-bucket-public", "ec2-sg-open-admin-ports") and f.resource_id in mine
    ]
    assert {f.resource_id for f in public} == {planted.group_id, planted.bucket}
    finding = next(f for f in public if f.resource_id == planted.bucket)
    tool = Remediate()
    assert finding.remediation_action is not None
    a = args(
        action=finding.remediation_action, resource_id=finding.resource_id, params=finding.remediation_params
    )
    tool.apply(ctx, a, tool.plan(ctx, a), idempotency_key="ap-5")
    second = scan.run(ctx, SecurityScanInput(services=["s3", "ec2"]))
    gone = {(f.rule_id, f.resource_id) for f in first.findings} - {
        (f.rule_id, f.resource_id) for f in second.findings
    }
    # Block Public Access fixes both the public bucket and its missing Block Public Access.
    # Block Public Access also ends the public-listing ACL finding of the same bucket.
    assert gone == {
        ("s3-bucket-public", planted.bucket),
        ("s3-bucket-public-access-block", planted.bucket),
        ("s3-bucket-public-list-acl", planted.bucket),
    }
    assert second.resolved == 3 and "3 resolved since the last scan" in second.message


def test_bad_requests(ctx: ToolContext, planted: Planted) -> None:
    tool = Remediate()
    with pytest.raises(UserFacingError, match="No security group 'sg-0000000000000dead'"):
        tool.plan(ctx, args(action="revoke_ingress", resource_id="sg-0000000000000dead"))
    with pytest.raises(UserFacingError, match="No security group .* in us-east-1"):
        tool.plan(ctx, args(action="revoke_ingress", resource_id=planted.group_id, region="us-east-1"))
    with pytest.raises(UserFacingError, match="No S3 bucket 'acme-nope'"):
        tool.plan(ctx, args(action="block_public_access", resource_id="acme-nope"))
    with pytest.raises(UserFacingError, match="Unknown AWS region"):
        tool.plan(ctx, args(action="revoke_ingress", resource_id=planted.group_id, region="moon-1"))
    with pytest.raises(UserFacingError, match="port: Input should be a valid integer"):
        tool.plan(ctx, args(action="revoke_ingress", resource_id=planted.group_id, params={"port": "ssh"}))
    with pytest.raises(UserFacingError, match="not a CIDR"):
        tool.plan(
            ctx, args(action="revoke_ingress", resource_id=planted.group_id, params={"cidr": "everyone"})
        )
    with pytest.raises(UserFacingError, match="Allowed params: port, ports, cidr"):
        tool.plan(
            ctx, args(action="revoke_ingress", resource_id=planted.group_id, params={"protocol": "tcp"})
        )
    with pytest.raises(UserFacingError, match="Allowed params: none"):
        tool.plan(ctx, args(action="block_public_access", resource_id=planted.bucket, params={"force": True}))
    with pytest.raises(UserFacingError, match="Allowed params: port, ports, cidr"):
        tool.plan(ctx, args(action="revoke_ingress", resource_id=planted.group_id, params={"ports": []}))
    with pytest.raises(ValidationError):
        args(action="delete_bucket", resource_id=planted.bucket)
    with pytest.raises(ValidationError):
        args(action="revoke_ingress", resource_id="")
    with pytest.raises(UserFacingError, match="Unknown remediation action 'delete_bucket'"):
        get_action("delete_bucket")
    plan = ChangePlan(action="block_public_access", resource_id=planted.bucket, summary="x", region=REGION)
    with pytest.raises(UserFacingError, match="plan again"):
        tool.apply(
            ctx, args(action="revoke_ingress", resource_id=planted.group_id), plan, idempotency_key="k"
        )
    # Nothing above touched AWS.
    assert len(ingress(ctx, planted.group_id)) == 3
