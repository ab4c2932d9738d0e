"""Seed, inventory, scan and findings listing against one seeded two-account sandbox (read-only)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pydantic import ValidationError

from sandbox.manifest import DEV_ACCOUNT, NOT_REPRESENTABLE, NOT_REPRESENTABLE_REASONS
from sandbox.seed import is_seeded
from sandbox.server import ensure_running, load_manifest, status
from store.findings import FindingStore
from tests.sandbox.conftest import SeededAccount
from tests.tools.security.test_rules import UNMAPPED_RULES
from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.inventory.describe_resources import DescribeResources
from tools.security.list_findings import ListFindings, ListFindingsInput
from tools.security.rule import CIS_AWS
from tools.security.rules import all_rules
from tools.security.security_scan import SecurityScan
from tools.security.views import FindingView, finding_view

TOOL_TYPES = {"ec2_instance", "security_group", "s3_bucket", "iam_user", "rds_instance", "ebs_volume"}
# Types of the application services, seeded in both regions of production.
SERVICE_TYPES = {
    "lambda_function",
    "load_balancer",
    "api_gateway_stage",
    "eks_cluster",
    "dynamodb_table",
    "elasticache_replication_group",
    "efs_file_system",
    "sqs_queue",
    "sns_topic",
    "secret",
    "ecr_repository",
}
# Ids of the account- and region-wide settings resources (not in the manifest's resource list).
SETTINGS_IDS = {
    "root",
    "password-policy",
    "account-public-access-block",
    "ebs-encryption-by-default",
    "config-recorder",
    "cloudtrail",
    "cloudwatch-monitoring",
    "iam-account",
    "account-contacts",
    "organization",
    "guardduty",
    "securityhub",
}


def scan(ctx: ToolContext, **args: Any) -> Any:
    tool = SecurityScan()
    return tool.run(ctx, tool.parse(args))


def stored_views(ctx: ToolContext) -> list[FindingView]:
    """Every finding in the context's database (a scan's result shows the 100 most severe only)."""
    return [finding_view(f) for f in FindingStore(ctx.store).list(status=None, limit=1000)]


def describe(ctx: ToolContext, **args: Any) -> Any:
    tool = DescribeResources()
    return tool.run(ctx, tool.parse(args))


def test_seed_creates_a_realistic_account(seeded: SeededAccount, seeded_ctx: ToolContext) -> None:
    m = seeded.manifest
    prod = m.account_id
    assert len(m.resources) >= 130
    assert {r.region for r in m.resources} >= {"us-east-1", "eu-west-1"}
    assert {r.type for r in m.resources} >= TOOL_TYPES | {
        "kms_key",
        "ebs_snapshot",
        "elastic_ip",
        "iam_policy",
        "iam_role",
        "iam_inline_policy",
        "rds_snapshot",
        "network_acl",
        "cloudfront_distribution",
    }
    assert {"vpc", "subnet", "internet_gateway", "route_table", "cloudtrail_trail"} <= {
        r.type for r in m.resources
    }
    # Each application service exists once to standard (us-east-1) and once with its legacy
    # mistakes (eu-west-1), so every rule is checked both ways where moto allows.
    for t in SERVICE_TYPES:
        assert {r.region for r in m.of_type(t, prod)} == {"us-east-1", "eu-west-1"}, t
    assert all(b.name.startswith("acme-") for b in m.of_type("s3_bucket"))
    assert m.member_accounts == {DEV_ACCOUNT: f"arn:aws:iam::{DEV_ACCOUNT}:role/CloudPilotAudit"}
    # Every rule whose misconfiguration moto can represent is planted at least once, and every
    # planted issue names a rule that exists and a resource that was created.
    rule_ids = {r.id for r in all_rules()}
    planted = {x.rule_id for x in m.misconfigurations}
    assert planted == rule_ids - NOT_REPRESENTABLE
    assert rule_ids > NOT_REPRESENTABLE
    assert all(reason.startswith("moto ") for reason in NOT_REPRESENTABLE_REASONS.values())
    assert len(planted) >= 150
    assert len({(x.account, x.rule_id, x.resource_id, x.region) for x in m.misconfigurations}) == len(
        m.misconfigurations
    )
    ids = {r.id for r in m.resources} | SETTINGS_IDS
    assert all(x.resource_id in ids for x in m.misconfigurations)
    assert {x.account for x in m.misconfigurations} == {prod, DEV_ACCOUNT}
    # Seeding is marked, so a second ensure_running leaves the account alone.
    assert is_seeded(seeded_ctx.aws)
    ensure_running(seeded.settings)
    assert load_manifest(seeded.settings) == m
    buckets = seeded_ctx.aws.client("s3").list_buckets()["Buckets"]
    assert len(buckets) == len(m.of_type("s3_bucket", prod))
    st = status(seeded.settings)
    assert st.running and st.seeded and not st.managed and st.endpoint == seeded.endpoint


def test_scan_finds_exactly_the_planted_misconfigurations(
    seeded: SeededAccount, both_accounts_ctx: ToolContext
) -> None:
    result = scan(both_accounts_ctx)
    assert result.status == ToolStatus.OK, result.message
    assert not result.errors
    assert result.accounts == [seeded.manifest.account_id, DEV_ACCOUNT]
    assert len({f.id for f in result.findings}) == len(result.findings)
    stored = FindingStore(both_accounts_ctx.store).list(status=None, limit=1000)
    # Every planted issue is found, in the right account and region, and nothing else is reported.
    expected = seeded.manifest.all_expected()
    assert {(f.account, f.rule_id, f.resource_id, f.region) for f in stored} == expected
    assert len(stored) == len(expected) == 234
    assert result.new == len(expected) and result.resolved == 0
    assert sum(result.counts.values()) == len(expected)
    assert result.message.startswith(f"{len(expected)} findings: ")
    assert "2 accounts" in result.message
    # The result shows the most severe hundred; the database holds them all.
    assert len(result.findings) == 100 and "Showing the 100 most severe" in result.message
    assert {f.id for f in result.findings} < {f.id for f in stored}

    views = stored_views(both_accounts_ctx)
    by_key = {(f.rule_id, f.resource_id): f for f in views}
    bastion = by_key[("ec2-sg-open-admin-ports", seeded.manifest.by_name("acme-bastion").id)]
    assert bastion.remediation_action == "revoke_ingress"
    assert bastion.remediation_params == {"port": 22, "cidr": "0.0.0.0/0"}
    assert bastion.region == "us-east-1"
    assert any("5.2" in c and CIS_AWS in c for c in bastion.compliance)
    assert by_key[("s3-bucket-public", "acme-public-website")].remediation_action == "block_public_access"
    assert by_key[
        ("ec2-sg-open-database-ports", seeded.manifest.by_name("acme-legacy-db").id)
    ].remediation_params == {
        "port": 5432,
        "cidr": "0.0.0.0/0",
    }
    assert by_key[("iam-user-console-without-mfa", "dave.contractor")].region == "global"
    svc_backup = by_key[("iam-user-multiple-active-keys", "svc-backup")]
    assert svc_backup.remediation_action == "deactivate_access_key"
    assert str(svc_backup.remediation_params["access_key_id"]).startswith("AKIA")
    # Each finding carries every framework its rule maps to: two or more, except for the rules
    # mapped to one framework only or to none (see test_rules, docs/COMPLIANCE.md).
    rules = {r.id: r for r in all_rules()}
    for f in views:
        frameworks = {c.split(" ")[0] for c in f.compliance}
        wanted = 0 if f.rule_id in UNMAPPED_RULES else 1
        assert len(frameworks) == len(rules[f.rule_id].compliance) >= wanted, f.rule_id

    # Same problems keep the same ids on the next scan.
    again = scan(both_accounts_ctx, services=["s3", "iam"])
    assert {f.id for f in again.findings} == {f.id for f in views if f.service in ("s3", "iam")}
    assert again.new == 0 and again.resolved == 0


def test_scan_scoped_by_service_region_and_resource(seeded: SeededAccount, seeded_ctx: ToolContext) -> None:
    s3_only = scan(seeded_ctx, services=["s3"])
    public = {f.resource_id for f in s3_only.findings if f.rule_id == "s3-bucket-public"}
    assert public == {"acme-public-website", "acme-marketing-downloads"}
    assert {f.service for f in s3_only.findings} == {"s3"}
    eu = scan(seeded_ctx, services=["ec2", "ebs", "rds"], regions=["eu-west-1"])
    assert {f.region for f in eu.findings} == {"eu-west-1"}
    services = {r.id: r.service for r in all_rules()}
    planted_eu = Counter(
        services[m.rule_id]
        for m in seeded.manifest.planted()
        if m.region == "eu-west-1" and services[m.rule_id] in ("ec2", "ebs", "rds")
    )
    assert Counter(f.service for f in eu.findings) == planted_eu == {"ec2": 20, "ebs": 2, "rds": 16}
    one = scan(seeded_ctx, resource_id="acme-bastion")
    assert [f.resource_id for f in one.findings] == [seeded.manifest.by_name("acme-bastion").id]
    clean = scan(seeded_ctx, resource_id="acme-orders")
    assert clean.status == ToolStatus.OK and clean.findings == []
    assert clean.message.startswith("No open findings across 1 resource in")
    missing = scan(seeded_ctx, resource_id="sg-0000000000000dead")
    assert missing.status == ToolStatus.NO_DATA
    assert "sg-0000000000000dead" in missing.message
    with pytest.raises(UserFacingError, match="Unknown AWS region 'mars-east-1'"):
        scan(seeded_ctx, regions=["mars-east-1"])
    functions = scan(seeded_ctx, services=["lambda"])
    assert {(f.rule_id, f.resource_id) for f in functions.findings} == {
        (m.rule_id, m.resource_id) for m in seeded.manifest.planted() if services[m.rule_id] == "lambda"
    }
    assert {f.resource_id for f in functions.findings} == {"acme-payments-webhook", "acme-eu-report-mailer"}
    with pytest.raises(ValidationError):
        scan(seeded_ctx, services=["lightsail"])


def test_failed_region_is_reported_and_does_not_resolve(
    seeded: SeededAccount, seeded_ctx: ToolContext
) -> None:
    # Fewer than 100 findings, so that the results list them all.
    first = scan(seeded_ctx, services=["rds", "kms"])
    assert len(first.findings) == sum(first.counts.values()) < 100
    public_db = next(f for f in first.findings if f.rule_id == "rds-instance-public")

    def deny(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "DescribeDBInstances"
        )

    # Fault injected in botocore's own event system, for one region only.
    events = seeded_ctx.aws.client("rds", "eu-west-1").meta.events
    events.register("before-call.rds.DescribeDBInstances", deny, unique_id="test-deny")
    try:
        result = scan(seeded_ctx, services=["rds", "kms"])
    finally:
        events.unregister("before-call.rds.DescribeDBInstances", unique_id="test-deny")
    assert result.status == ToolStatus.OK
    assert [(e.service, e.region) for e in result.errors] == [("rds", "eu-west-1")]
    assert "AccessDenied" in result.message
    assert result.resolved == 0
    # The instances reporting-eu (13) and customers-eu (1) are unseen; reporting-eu's snapshot is not.
    assert len(result.findings) == len(first.findings) - 14
    still = ListFindings().run(seeded_ctx, ListFindingsInput(resource_id=public_db.resource_id))
    assert {f.status for f in still.findings} == {"open"}


def test_list_findings_filters(seeded_ctx: ToolContext) -> None:
    tool = ListFindings()
    before = tool.run(seeded_ctx, ListFindingsInput())
    assert before.status == ToolStatus.NO_DATA and "security_scan" in before.message
    scan(seeded_ctx, services=["ec2", "s3", "rds"])
    everything = tool.run(seeded_ctx, ListFindingsInput(limit=500))
    assert [f.severity for f in everything.findings][:2] == ["critical", "critical"]
    high_ec2 = tool.run(seeded_ctx, tool.parse({"severity": "high", "service": "ec2"}))
    assert len(high_ec2.findings) == 9 and high_ec2.message.startswith("9 open findings: 9 high")
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
        assert result.counts[t] == len(m.of_type(t, m.account_id)), t
    # Security groups also include the default group of every VPC.
    assert result.counts["security_group"] >= len(m.of_type("security_group", m.account_id))
    assert result.message.startswith(f"{result.total} resources: 8 EC2 instances, ")
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
    assert buckets.total == len(seeded.manifest.of_type("s3_bucket", seeded.manifest.account_id))
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
    functions = describe(seeded_ctx, resource_type="lambda_function")
    assert {(r.name, r.region) for r in functions.resources} == {
        ("acme-image-resizer", "us-east-1"),
        ("acme-payments-webhook", "us-east-1"),
        ("acme-eu-report-mailer", "eu-west-1"),
    }
    with pytest.raises(ValidationError):
        DescribeResources().parse({"resource_type": "lightsail_instance"})
    with pytest.raises(ValidationError):
        DescribeResources().parse({"limit": 0})
