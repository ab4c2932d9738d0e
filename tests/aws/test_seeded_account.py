"""Seed, inventory, scan and findings listing against one seeded sandbox account (read-only)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from pydantic import ValidationError

from sandbox.seed import is_seeded
from sandbox.server import ensure_running, load_manifest, status
from tests.aws.conftest import SeededAccount
from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.describe_resources import DescribeResources
from tools.list_findings import ListFindings, ListFindingsInput
from tools.security.rules import all_rules
from tools.security_scan import SecurityScan

TOOL_TYPES = {"ec2_instance", "security_group", "s3_bucket", "iam_user", "rds_instance", "ebs_volume"}


def scan(ctx: ToolContext, **args: Any) -> Any:
    tool = SecurityScan()
    return tool.run(ctx, tool.parse(args))


def describe(ctx: ToolContext, **args: Any) -> Any:
    tool = DescribeResources()
    return tool.run(ctx, tool.parse(args))


def test_seed_creates_a_realistic_account(seeded: SeededAccount, seeded_ctx: ToolContext) -> None:
    m = seeded.manifest
    assert len(m.resources) >= 40
    assert {r.region for r in m.resources} >= {"us-east-1", "eu-west-1"}
    assert {r.type for r in m.resources} >= TOOL_TYPES
    assert {"vpc", "subnet", "internet_gateway", "route_table"} <= {r.type for r in m.resources}
    assert all(b.name.startswith("acme-") for b in m.of_type("s3_bucket"))
    # Every planted misconfiguration names a rule that exists and a resource that was created.
    rule_ids = {r.id for r in all_rules()}
    ids = {r.id for r in m.resources}
    assert {x.rule_id for x in m.misconfigurations} == rule_ids
    assert all(x.resource_id in ids for x in m.misconfigurations)
    # Seeding is marked, so a second ensure_running leaves the account alone.
    assert is_seeded(seeded_ctx.aws)
    ensure_running(seeded.settings)
    assert load_manifest(seeded.settings) == m
    buckets = seeded_ctx.aws.client("s3").list_buckets()["Buckets"]
    assert len(buckets) == len(m.of_type("s3_bucket"))
    st = status(seeded.settings)
    assert st.running and st.seeded and not st.managed and st.endpoint == seeded.endpoint


def test_scan_finds_exactly_the_planted_misconfigurations(
    seeded: SeededAccount, seeded_ctx: ToolContext
) -> None:
    result = scan(seeded_ctx)
    assert result.status == ToolStatus.OK, result.message
    assert not result.errors
    assert {(f.rule_id, f.resource_id) for f in result.findings} == seeded.manifest.expected_findings()
    assert result.counts == {"critical": 2, "high": 5, "medium": 2}
    assert result.message.startswith("9 findings: 2 critical, 5 high, 2 medium across")
    assert result.new == 9 and result.resolved == 0
    assert result.tables and len(result.tables[0].rows) == 9
    by_resource = {f.resource_id: f for f in result.findings}
    bastion = by_resource[seeded.manifest.by_name("acme-bastion").id]
    assert bastion.remediation_action == "revoke_ingress"
    assert bastion.remediation_params == {"port": 22, "cidr": "0.0.0.0/0"}
    assert bastion.region == "us-east-1"
    assert any("5.2" in c for c in bastion.compliance)
    assert by_resource["acme-public-website"].remediation_action == "block_public_access"
    assert by_resource["dave.contractor"].region == "global"
    # Same problems keep the same ids on the next scan.
    again = scan(seeded_ctx)
    assert {f.id for f in again.findings} == {f.id for f in result.findings}
    assert again.new == 0 and again.resolved == 0


def test_scan_scoped_by_service_region_and_resource(seeded: SeededAccount, seeded_ctx: ToolContext) -> None:
    s3_only = scan(seeded_ctx, services=["s3"])
    assert {f.resource_id for f in s3_only.findings} == {"acme-public-website", "acme-marketing-downloads"}
    eu = scan(seeded_ctx, services=["ec2", "ebs", "rds"], regions=["eu-west-1"])
    assert {f.region for f in eu.findings} == {"eu-west-1"}
    assert len(eu.findings) == 4
    one = scan(seeded_ctx, resource_id="acme-bastion")
    assert [f.resource_id for f in one.findings] == [seeded.manifest.by_name("acme-bastion").id]
    clean = scan(seeded_ctx, resource_id="acme-prod-app-assets")
    assert clean.status == ToolStatus.OK and clean.findings == []
    assert clean.message.startswith("No open findings across 1 resource in")
    missing = scan(seeded_ctx, resource_id="sg-0000000000000dead")
    assert missing.status == ToolStatus.NO_DATA
    assert "sg-0000000000000dead" in missing.message
    with pytest.raises(UserFacingError, match="Unknown AWS region 'mars-east-1'"):
        scan(seeded_ctx, regions=["mars-east-1"])
    with pytest.raises(ValidationError):
        scan(seeded_ctx, services=["lambda"])


def test_failed_region_is_reported_and_does_not_resolve(
    seeded: SeededAccount, seeded_ctx: ToolContext
) -> None:
    first = scan(seeded_ctx)
    public_db = next(f for f in first.findings if f.rule_id == "rds-instance-public")

    def deny(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "DescribeDBInstances"
        )

    # Fault injected in botocore's own event system, for one region only.
    seeded_ctx.aws.client("rds", "eu-west-1").meta.events.register(
        "before-call.rds.DescribeDBInstances", deny
    )
    result = scan(seeded_ctx)
    assert result.status == ToolStatus.OK
    assert [(e.service, e.region) for e in result.errors] == [("rds", "eu-west-1")]
    assert "AccessDenied" in result.message
    assert len(result.findings) == 8 and result.resolved == 0
    still = ListFindings().run(seeded_ctx, ListFindingsInput(resource_id=public_db.resource_id))
    assert [f.status for f in still.findings] == ["open"]


def test_list_findings_filters(seeded_ctx: ToolContext) -> None:
    tool = ListFindings()
    before = tool.run(seeded_ctx, ListFindingsInput())
    assert before.status == ToolStatus.NO_DATA and "security_scan" in before.message
    scan(seeded_ctx)
    everything = tool.run(seeded_ctx, ListFindingsInput())
    assert len(everything.findings) == 9
    assert [f.severity for f in everything.findings][:2] == ["critical", "critical"]
    high_ec2 = tool.run(seeded_ctx, tool.parse({"severity": "high", "service": "ec2"}))
    assert len(high_ec2.findings) == 3 and high_ec2.message.startswith("3 open findings: 3 high")
    limited = tool.run(seeded_ctx, ListFindingsInput(limit=2))
    assert len(limited.findings) == 2 and "showing the first 2" in limited.message
    none = tool.run(seeded_ctx, ListFindingsInput(status="resolved"))
    assert none.status == ToolStatus.NO_DATA
    with pytest.raises(ValidationError):
        tool.parse({"severity": "urgent"})


def test_describe_all_types_and_regions(seeded: SeededAccount, seeded_ctx: ToolContext) -> None:
    result = describe(seeded_ctx, limit=500)
    assert result.status == ToolStatus.OK
    m = seeded.manifest
    for t in ("ec2_instance", "s3_bucket", "iam_user", "rds_instance", "ebs_volume"):
        assert result.counts[t] == len(m.of_type(t)), t
    # Security groups also include the default group of every VPC.
    assert result.counts["security_group"] >= len(m.of_type("security_group"))
    assert result.message.startswith(f"{result.total} resources: 6 EC2 instances, ")
    assert [t.title.split(" (")[0] for t in result.tables] == [
        "EC2 instances",
        "Security groups",
        "S3 buckets",
        "IAM users",
        "RDS instances",
        "EBS volumes",
    ]
    users = describe(seeded_ctx, resource_type="iam_user", limit=2)
    assert len(users.resources) == 2 and users.total == 6 and "showing the first 2" in users.message


def test_describe_by_type_region_and_id(seeded: SeededAccount, seeded_ctx: ToolContext) -> None:
    eu_instances = describe(seeded_ctx, resource_type="ec2_instance", region="eu-west-1")
    assert {r.name for r in eu_instances.resources} == {"eu-web-1", "win-jump-1", "etl-worker-1"}
    assert eu_instances.message == "3 resources: 3 EC2 instances in eu-west-1."
    web = next(r for r in eu_instances.resources if r.name == "eu-web-1")
    assert web.tags["team"] == "web" and web.attributes["type"] == "t3.small"
    # S3 is global: the region filter does not hide buckets.
    buckets = describe(seeded_ctx, resource_type="s3_bucket", region="eu-west-1")
    assert buckets.total == len(seeded.manifest.of_type("s3_bucket"))
    site = next(r for r in buckets.resources if r.id == "acme-public-website")
    assert site.attributes["public_acl"] == "yes" and site.region == "us-east-1"

    vol_id = seeded.manifest.by_name("legacy-backup").id
    one = describe(seeded_ctx, resource_id=vol_id)
    assert [(r.type, r.id) for r in one.resources] == [("ebs_volume", vol_id)]
    assert one.resources[0].attributes["encrypted"] is False  # full attributes for a lookup
    by_name = describe(seeded_ctx, resource_id="reporting-eu")
    assert by_name.resources[0].attributes["publicly_accessible"] is True

    unknown = describe(seeded_ctx, resource_id="i-0123456789abcdef0")
    assert unknown.status == ToolStatus.NO_DATA
    assert "i-0123456789abcdef0" in unknown.message and not unknown.resources
    with pytest.raises(UserFacingError, match="Unknown AWS region"):
        describe(seeded_ctx, region="nowhere-1")
    with pytest.raises(ValidationError):
        DescribeResources().parse({"resource_type": "lambda_function"})
    with pytest.raises(ValidationError):
        DescribeResources().parse({"limit": 0})
