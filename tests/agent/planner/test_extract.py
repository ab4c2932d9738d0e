"""Argument extraction: regions, services, tags, resource ids and names, grouping, filters."""

from __future__ import annotations

from datetime import date

import pytest

from agent.planner.calls import scan_services
from agent.planner.extract import ResourceRef, extract

TODAY = date(2024, 10, 15)


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("in us-east-1", ["us-east-1"]),
        ("in EU-WEST-1", ["eu-west-1"]),
        ("in ap-southeast-2 and sa-east-1", ["ap-southeast-2", "sa-east-1"]),
        ("in us-gov-west-1", ["us-gov-west-1"]),
        ("in Ireland", ["eu-west-1"]),
        ("in N. Virginia", ["us-east-1"]),
        ("in northern virginia", ["us-east-1"]),
        ("in Oregon", ["us-west-2"]),
        ("in Frankfurt", ["eu-central-1"]),
        ("in Ohio", ["us-east-2"]),
        ("in London", ["eu-west-2"]),
        ("in Tokyo", ["ap-northeast-1"]),
        ("in São Paulo", ["sa-east-1"]),
        ("in Ireland and eu-west-1", ["eu-west-1"]),
        ("in Sydney and Singapore", ["ap-southeast-2", "ap-southeast-1"]),
        ("list buckets", []),
    ],
)
def test_regions(text: str, regions: list[str]) -> None:
    assert sorted(extract(text, TODAY).regions) == sorted(regions)


@pytest.mark.parametrize("text", ["in all regions", "across every region", "everywhere"])
def test_all_regions(text: str) -> None:
    found = extract(text, TODAY)
    assert found.all_regions and found.regions == []


@pytest.mark.parametrize(
    ("text", "cost", "scan", "resource_type"),
    [
        ("EC2", "EC2", "ec2", "ec2_instance"),
        ("our instances", "EC2", "ec2", "ec2_instance"),
        ("virtual machines", "EC2", "ec2", "ec2_instance"),
        ("S3", "S3", "s3", "s3_bucket"),
        ("buckets", "S3", "s3", "s3_bucket"),
        ("RDS", "RDS", "rds", "rds_instance"),
        ("rds instances", "RDS", "rds", "rds_instance"),
        ("databases", "RDS", "rds", "rds_instance"),
        ("postgres", "RDS", "rds", "rds_instance"),
        ("EBS volumes", "EBS", "ebs", "ebs_volume"),
        ("disks", "EBS", "ebs", "ebs_volume"),
        ("security groups", None, "ec2", "security_group"),
        ("IAM users", None, "iam", "iam_user"),
        ("Lambda", "Lambda", "lambda", "lambda_function"),
        ("lambda functions", "Lambda", "lambda", "lambda_function"),
        ("load balancers", "ELB", "elb", "load_balancer"),
        ("ALB", "ELB", "elb", "load_balancer"),
        ("CloudWatch", "CloudWatch", "cloudwatch", None),
        ("VPC", "VPC", "ec2", "vpc"),
        ("NAT gateways", "VPC", "ec2", "vpc"),
        ("EKS", "EKS", "eks", "eks_cluster"),
        ("kubernetes", "EKS", "eks", "eks_cluster"),
        ("ECS", "ECS", None, None),
        ("DynamoDB", "DynamoDB", "dynamodb", "dynamodb_table"),
        ("CloudFront", "CloudFront", "cloudfront", "cloudfront_distribution"),
        ("SQS", "SQS", "sqs", "sqs_queue"),
        ("SNS", "SNS", "sns", "sns_topic"),
        ("KMS", "KMS", "kms", None),
        ("Route 53", "Route 53", None, None),
        ("route53", "Route 53", None, None),
        ("API Gateway", "API Gateway", "apigateway", "api_gateway_stage"),
        ("step functions", "Step Functions", None, None),
        ("ElastiCache", "ElastiCache", "elasticache", "elasticache_replication_group"),
    ],
)
def test_services_by_common_name(
    text: str, cost: str | None, scan: str | None, resource_type: str | None
) -> None:
    (service,) = extract(text, TODAY).services
    assert (service.cost, service.scan, service.resource_type) == (cost, scan, resource_type)


def test_scan_services_are_the_scanners_own() -> None:
    # Every service the planner would scan is one security_scan accepts, and each it accepts is named.
    from agent.planner.vocab import SCAN_LABELS, SERVICES
    from tools.security.security_scan import SERVICES as SCANNED

    assert {s.scan for s in SERVICES if s.scan} == set(SCANNED) == set(SCAN_LABELS)


def test_the_longest_service_name_wins() -> None:
    # "rds instances" is RDS, not "instances" (EC2); "step functions" is not Lambda.
    assert [s.key for s in extract("rds instances and step functions", TODAY).services] == [
        "rds",
        "stepfunctions",
    ]


@pytest.mark.parametrize(
    ("text", "services"),
    [
        ("any open ports?", ["ec2"]),
        ("is ssh exposed", ["ec2"]),
        ("is MFA on for the root account", ["iam"]),
        ("public buckets and unencrypted volumes", ["s3", "ebs"]),
        ("check bucket acme-logs", ["s3"]),
        ("is anything public", []),
    ],
)
def test_scan_services_from_topics(text: str, services: list[str]) -> None:
    assert scan_services(extract(text, TODAY)) == services


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("spend for team=platform", {"team": "platform"}),
        ("team = platform and env=prod", {"team": "platform", "env": "prod"}),
        ("costs tagged env:prod", {"env": "prod"}),
        ("tag cost-center=R&D", {"cost-center": "R&D"}),
        ('owner="jane doe"', {"owner": "jane doe"}),
        ("aws:createdBy=alice", {"aws:createdBy": "alice"}),
    ],
)
def test_tags(text: str, tags: dict[str, str]) -> None:
    assert extract(text, TODAY).tags == tags


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("describe sg-0123abcd", [ResourceRef("security_group", "sg-0123abcd")]),
        ("sg-0a1b2c3d4e5f67890", [ResourceRef("security_group", "sg-0a1b2c3d4e5f67890")]),
        ("instance i-0123456789abcdef0", [ResourceRef("ec2_instance", "i-0123456789abcdef0")]),
        ("volume vol-0abc1234", [ResourceRef("ebs_volume", "vol-0abc1234")]),
        ("snapshot snap-0abc1234", [ResourceRef(None, "snap-0abc1234")]),
        ("bucket acme-public-assets", [ResourceRef("s3_bucket", "acme-public-assets")]),
        ("bucket named logs", [ResourceRef("s3_bucket", "logs")]),
        ("the acme-logs bucket", [ResourceRef("s3_bucket", "acme-logs")]),
        ("s3://Acme-Data/path", [ResourceRef("s3_bucket", "acme-data")]),
        ("arn:aws:s3:::acme-data", [ResourceRef("s3_bucket", "acme-data")]),
        ("database prod-db", [ResourceRef("rds_instance", "prod-db")]),
        ("db orders-1", [ResourceRef("rds_instance", "orders-1")]),
        ("rds instance orders", [ResourceRef("rds_instance", "orders")]),
        ("the billing-db database", [ResourceRef("rds_instance", "billing-db")]),
        ("security group web-sg", [ResourceRef("security_group", "web-sg")]),
        ("user alice", [ResourceRef("iam_user", "alice")]),
        ("server web-1", [ResourceRef("ec2_instance", "web-1")]),
        ("what buckets do we have", []),
        ("is bucket public", []),
        ("rds cost last month", []),
        ("users without mfa", []),
    ],
)
def test_resource_ids_and_names(text: str, refs: list[ResourceRef]) -> None:
    assert extract(text, TODAY).resources == refs


@pytest.mark.parametrize(
    ("text", "group_by"),
    [
        ("by service", "service"),
        ("per region", "region"),
        ("by account", "account"),
        ("grouped by resource", "resource"),
        ("by charge category", "charge_category"),
        ("daily", "day"),
        ("per day", "day"),
        ("by month", "month"),
        ("month over month", "month"),
        ("by team tag", "tag:team"),
        ("by tag owner", "tag:owner"),
        ("group by tag:cost-center", "tag:cost-center"),
        ("by team", "tag:team"),
        ("per environment", "tag:environment"),
        ("break down last month", "service"),
        ("most expensive services", "service"),
        ("which regions cost the most", "region"),
        ("EC2 cost last month", None),
    ],
)
def test_group_by(text: str, group_by: str | None) -> None:
    assert extract(text, TODAY).group_by == group_by


@pytest.mark.parametrize(
    ("text", "account"),
    [("account 123456789012", "123456789012"), ("the prod account", "prod"), ("by account", None)],
)
def test_accounts(text: str, account: str | None) -> None:
    assert extract(text, TODAY).account == account


@pytest.mark.parametrize(
    ("text", "ports", "cidr"),
    [
        ("close port 22", [22], None),
        ("close ports 22, 80 and 443", [22, 80, 443], None),
        ("revoke ssh and rdp", [22, 3389], None),
        ("close port 22 from 0.0.0.0/0", [22], "0.0.0.0/0"),
        ("remove ::/0 on port 3389", [3389], "::/0"),
        ("close it to the world", [], None),
    ],
)
def test_ports_and_cidrs(text: str, ports: list[int], cidr: str | None) -> None:
    found = extract(text, TODAY)
    assert (found.ports, found.cidr) == (ports, cidr)


@pytest.mark.parametrize(
    ("text", "severities", "status", "given"),
    [
        ("high severity", ["high"], None, False),
        ("critical and medium open findings", ["critical", "medium"], "open", True),
        ("low resolved", ["low"], "resolved", True),
        ("fixed findings", [], "resolved", True),
        ("suppressed", [], "suppressed", True),
        ("findings with any status", [], None, True),
    ],
)
def test_severity_and_status(text: str, severities: list[str], status: str | None, given: bool) -> None:
    found = extract(text, TODAY)
    assert (found.severities, found.status, found.status_given) == (severities, status, given)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("top 5 services", 5),
        ("first ten buckets", 10),
        ("3 most expensive", 3),
        ("limit to 20", 20),
        ("all", None),
    ],
)
def test_counts(text: str, count: int | None) -> None:
    assert extract(text, TODAY).count == count


def test_identifiers_are_masked_before_keyword_matching() -> None:
    found = extract("block public access on bucket acme-public-assets in Ireland last month", TODAY)
    assert "acme" not in found.masked and "Ireland" not in found.masked and "last month" not in found.masked
    assert "block public access" in found.masked
