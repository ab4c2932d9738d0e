"""The rules added for cloud coverage (issue #18), each proven both ways.

Two layers:
- `NORMALISED_CASES`: every rule on normalised attributes, failing and passing. This is also where
  the rules whose state moto cannot represent are checked: secrets last rotated or read long ago
  (moto stamps the current time), expired IAM server certificates, IAM Access Analyzer (moto has
  no Access Analyzer), GuardDuty S3 protection (moto reports no data sources), load balancer TLS
  policies and WAF associations, CloudFront origin access control and TLS versions, API Gateway
  cache encryption, EKS versions, Organizations membership, RDS engine versions past support and
  parameter groups.
- `test_rules_on_moto`: one moto account seeded with a misconfigured and a compliant resource of
  each type moto can represent, read by the real collectors and judged by the real rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings, reset_moto
from tools.base import ToolContext
from tools.inventory.aws import AwsClients
from tools.inventory.inventory import gather, plan_tasks
from tools.inventory.resources import AnyResourceType, Resource
from tools.security.engine import evaluate
from tools.security.rules import all_rules, get_rule

NOW = datetime(2024, 10, 15, 12, 0, tzinfo=UTC)
R = "us-east-1"


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def doc(*actions: str, resource: str = "*") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}],
    }


def public(action: str = "sqs:SendMessage", condition: dict[str, Any] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": "*"}
    if condition:
        st["Condition"] = condition
    return {"Statement": [st]}


def sg(*entries: tuple[str, int | None, int | None, str]) -> dict[str, Any]:
    return {
        "ingress": [
            {"protocol": p, "from_port": lo, "to_port": hi, "cidr": c, "source_group": None}
            for p, lo, hi, c in entries
        ]
    }


def nacl(*entries: tuple[int, str, str, int | None, int | None, str]) -> dict[str, Any]:
    return {
        "ingress": [
            {"rule_number": n, "action": a, "protocol": p, "from_port": lo, "to_port": hi, "cidr": c}
            for n, a, p, lo, hi, c in entries
        ]
    }


WORLD = "0.0.0.0/0"
OPEN_SSH = [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": WORLD, "group": "sg-1"}]
OPEN_RDP = [{"protocol": "tcp", "from_port": 3389, "to_port": 3389, "cidr": "::/0", "group": "sg-1"}]
TRUST_LAMBDA = {
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
}
TRUST_SOURCE = {
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }
    ]
}
HTTP = {"arn": "arn:l/1", "protocol": "HTTP", "port": 80, "ssl_policy": None, "redirects_to_https": False}
HTTP_REDIRECT = {**HTTP, "redirects_to_https": True}
TLS_OLD = {"arn": "arn:l/2", "protocol": "HTTPS", "port": 443, "ssl_policy": "ELBSecurityPolicy-2016-08"}
TLS_NEW = {**TLS_OLD, "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}
ALB = {"lb_type": "application", "scheme": "internet-facing"}
TRAIL = {"name": "t", "multi_region": True, "is_logging": True}

# (rule id, resource type, failing attributes, passing attributes)
PAIRS: list[tuple[str, AnyResourceType, dict[str, Any], dict[str, Any]]] = [
    # EC2 / VPC
    (
        "ec2-instance-ssh-exposed",
        "ec2_instance",
        {"public_ip": "1.2.3.4", "internet_ingress": OPEN_SSH},
        {"public_ip": None, "internet_ingress": OPEN_SSH},
    ),
    (
        "ec2-instance-rdp-exposed",
        "ec2_instance",
        {"public_ip": "1.2.3.4", "internet_ingress": OPEN_RDP},
        {"public_ip": "1.2.3.4", "internet_ingress": OPEN_SSH},
    ),
    (
        "ec2-nacl-open-all-ports",
        "network_acl",
        nacl((100, "allow", "-1", None, None, WORLD)),
        nacl((90, "deny", "-1", None, None, WORLD), (100, "allow", "-1", None, None, WORLD)),
    ),
    (
        "ec2-nacl-open-admin-ports",
        "network_acl",
        nacl((100, "allow", "6", 0, 1024, WORLD)),
        nacl((100, "allow", "6", 443, 443, WORLD), (200, "allow", "6", 22, 22, "10.0.0.0/8")),
    ),
    ("ec2-sg-open-all-ports", "security_group", sg(("-1", None, None, WORLD)), sg(("tcp", 443, 443, WORLD))),
    (
        "ec2-sg-open-high-risk-ports",
        "security_group",
        sg(("tcp", 445, 445, WORLD)),
        sg(("tcp", 445, 445, "10.0.0.0/8")),
    ),
    ("ec2-sg-open-ftp", "security_group", sg(("tcp", 20, 21, WORLD)), sg(("tcp", 22, 22, "10.0.0.0/8"))),
    ("ec2-sg-open-telnet", "security_group", sg(("tcp", 23, 23, "::/0")), sg(("tcp", 443, 443, WORLD))),
    ("ec2-sg-open-kafka", "security_group", sg(("tcp", 9092, 9092, WORLD)), sg(("udp", 9092, 9092, WORLD))),
    (
        "ec2-subnet-auto-public-ip",
        "subnet",
        {"map_public_ip_on_launch": True},
        {"map_public_ip_on_launch": False},
    ),
    (
        "ec2-instance-profile-missing",
        "ec2_instance",
        {"iam_instance_profile": None, "state": "running"},
        {"iam_instance_profile": "arn:aws:iam::1:instance-profile/app", "state": "running"},
    ),
    (
        "ec2-instance-detailed-monitoring",
        "ec2_instance",
        {"monitoring": "disabled", "state": "running"},
        {"monitoring": "enabled", "state": "running"},
    ),
    # IAM
    (
        "iam-inline-policy-full-admin",
        "iam_inline_policy",
        {"document": doc("*")},
        {"document": doc("s3:GetObject")},
    ),
    (
        "iam-inline-policy-cloudtrail-full-access",
        "iam_inline_policy",
        {"document": doc("cloudtrail:*")},
        {"document": doc("cloudtrail:LookupEvents")},
    ),
    (
        "iam-inline-policy-kms-full-access",
        "iam_inline_policy",
        {"document": doc("kms:*")},
        {"document": doc("kms:*", resource="arn:aws:kms:us-east-1:1:key/k")},
    ),
    (
        "iam-policy-cloudtrail-full-access",
        "iam_policy",
        {"document": doc("cloudtrail:*")},
        {"document": doc("s3:*")},
    ),
    (
        "iam-policy-kms-full-access",
        "iam_policy",
        {"document": doc("kms:*")},
        {"document": doc("kms:Decrypt")},
    ),
    (
        "iam-inline-policy-privilege-escalation",
        "iam_inline_policy",
        {"document": doc("iam:CreatePolicyVersion")},
        {"document": doc("iam:PassRole")},
    ),
    (
        "iam-policy-privilege-escalation",
        "iam_policy",
        {"document": doc("iam:PassRole", "lambda:*")},
        {"document": doc("iam:Get*", "lambda:InvokeFunction")},
    ),
    (
        "iam-role-admin-access",
        "iam_role",
        {"attached_policies": ["AdministratorAccess"]},
        {"attached_policies": ["ReadOnlyAccess"]},
    ),
    (
        "iam-user-admin-access",
        "iam_user",
        {"attached_policies": ["AdministratorAccess"]},
        {"attached_policies": []},
    ),
    (
        "iam-role-service-trust-unrestricted",
        "iam_role",
        {"trust_policy": TRUST_LAMBDA},
        {"trust_policy": TRUST_SOURCE},
    ),
    (
        "iam-support-role",
        "iam_account",
        {"support_access_entities": []},
        {"support_access_entities": ["role/support"]},
    ),
    (
        "iam-expired-server-certificates",
        "iam_account",
        {"server_certificates": [{"name": "old", "expires": ago(3)}]},
        {"server_certificates": [{"name": "new", "expires": ago(-30)}]},
    ),
    (
        "iam-password-expiry",
        "iam_password_policy",
        {"exists": True, "max_age_days": None},
        {"exists": True, "max_age_days": 90},
    ),
    # S3
    ("s3-bucket-access-logging", "s3_bucket", {"logging": None}, {"logging": {"target_bucket": "logs"}}),
    (
        "s3-bucket-acls-enabled",
        "s3_bucket",
        {"object_ownership": None},
        {"object_ownership": "BucketOwnerEnforced"},
    ),
    (
        "s3-bucket-mfa-delete",
        "s3_bucket",
        {"versioning": "Enabled", "mfa_delete": None},
        {"versioning": "Enabled", "mfa_delete": "Enabled"},
    ),
    ("s3-bucket-object-lock", "s3_bucket", {"object_lock": False}, {"object_lock": True}),
    ("s3-bucket-kms-encryption", "s3_bucket", {"encryption": "AES256"}, {"encryption": "aws:kms"}),
    ("s3-bucket-lifecycle", "s3_bucket", {"lifecycle_rules": 0}, {"lifecycle_rules": 2}),
    (
        "s3-bucket-cross-account-access",
        "s3_bucket",
        {
            "policy": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                        "Action": "s3:*",
                    }
                ]
            }
        },
        {
            "policy": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                        "Action": "s3:*",
                    }
                ]
            }
        },
    ),
    (
        "s3-bucket-public-list-acl",
        "s3_bucket",
        {"acl_grants": [{"grantee": "AllUsers", "permission": "READ"}]},
        {
            "acl_grants": [{"grantee": "AllUsers", "permission": "READ"}],
            "public_access_block": {"ignore_public_acls": True},
        },
    ),
    # RDS
    (
        "rds-instance-transport-encryption",
        "rds_instance",
        {"transport_encryption_required": False},
        {"transport_encryption_required": True},
    ),
    (
        "rds-instance-deprecated-engine",
        "rds_instance",
        {"engine": "mysql", "engine_version": "5.7.44"},
        {"engine": "mysql", "engine_version": "8.0.35"},
    ),
    (
        "rds-instance-default-admin",
        "rds_instance",
        {"master_username": "postgres"},
        {"master_username": "app_owner"},
    ),
    (
        "rds-instance-iam-auth",
        "rds_instance",
        {"engine": "postgres", "iam_database_authentication_enabled": False},
        {"engine": "postgres", "iam_database_authentication_enabled": True},
    ),
    ("rds-instance-multi-az", "rds_instance", {"multi_az": False}, {"multi_az": True}),
    (
        "rds-instance-enhanced-monitoring",
        "rds_instance",
        {"monitoring_interval": 0},
        {"monitoring_interval": 60},
    ),
    (
        "rds-instance-copy-tags-to-snapshot",
        "rds_instance",
        {"copy_tags_to_snapshot": False},
        {"copy_tags_to_snapshot": True},
    ),
    (
        "rds-instance-log-exports",
        "rds_instance",
        {"cloudwatch_logs_exports": []},
        {"cloudwatch_logs_exports": ["postgresql"]},
    ),
    (
        "rds-instance-default-port",
        "rds_instance",
        {"engine": "postgres", "port": 5432},
        {"engine": "postgres", "port": 6543},
    ),
    ("rds-snapshot-public", "rds_snapshot", {"public": True}, {"public": False}),
    ("rds-snapshot-unencrypted", "rds_snapshot", {"encrypted": False}, {"encrypted": True}),
    # Lambda
    (
        "lambda-function-public-url",
        "lambda_function",
        {"url_auth_type": "NONE"},
        {"url_auth_type": "AWS_IAM"},
    ),
    (
        "lambda-function-public-policy",
        "lambda_function",
        {"policy": public("lambda:InvokeFunction")},
        {"policy": public("lambda:InvokeFunction", {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"}})},
    ),
    (
        "lambda-function-deprecated-runtime",
        "lambda_function",
        {"runtime": "python3.7"},
        {"runtime": "python3.12"},
    ),
    (
        "lambda-function-env-secrets",
        "lambda_function",
        {"secret_env_vars": ["DB_PASSWORD"]},
        {"secret_env_vars": []},
    ),
    (
        "lambda-function-url-cors-wildcard",
        "lambda_function",
        {"url_cors_origins": ["*"]},
        {"url_cors_origins": ["https://app.example.com"]},
    ),
    ("lambda-function-not-in-vpc", "lambda_function", {"vpc_id": None}, {"vpc_id": "vpc-1"}),
    # ELB
    (
        "elb-http-listener-without-redirect",
        "load_balancer",
        {**ALB, "listeners": [HTTP]},
        {**ALB, "listeners": [HTTP_REDIRECT, TLS_NEW]},
    ),
    (
        "elb-insecure-tls-policy",
        "load_balancer",
        {**ALB, "listeners": [TLS_OLD]},
        {**ALB, "listeners": [TLS_NEW]},
    ),
    ("elb-access-logs", "load_balancer", {"access_logs": False}, {"access_logs": True}),
    (
        "elb-deletion-protection",
        "load_balancer",
        {"deletion_protection": False},
        {"deletion_protection": True},
    ),
    (
        "elb-drop-invalid-headers",
        "load_balancer",
        {"drop_invalid_headers": False},
        {"drop_invalid_headers": True},
    ),
    ("elb-desync-mitigation", "load_balancer", {"desync_mode": "monitor"}, {"desync_mode": "defensive"}),
    ("elb-waf", "load_balancer", {**ALB, "waf_web_acl": None}, {**ALB, "waf_web_acl": "arn:aws:wafv2:acl"}),
    (
        "elb-single-az",
        "load_balancer",
        {"availability_zones": ["us-east-1a"]},
        {"availability_zones": ["us-east-1a", "us-east-1b"]},
    ),
    # EKS
    (
        "eks-public-endpoint",
        "eks_cluster",
        {"endpoint_public": True, "public_access_cidrs": [WORLD]},
        {"endpoint_public": True, "public_access_cidrs": ["203.0.113.0/24"]},
    ),
    ("eks-secrets-encryption", "eks_cluster", {"secrets_encryption": False}, {"secrets_encryption": True}),
    (
        "eks-control-plane-logging",
        "eks_cluster",
        {"logging_enabled": ["api"]},
        {"logging_enabled": ["api", "audit", "authenticator", "controllerManager", "scheduler"]},
    ),
    ("eks-unsupported-version", "eks_cluster", {"version": "1.23"}, {"version": "1.31"}),
    ("eks-private-endpoint", "eks_cluster", {"endpoint_private": False}, {"endpoint_private": True}),
    # DynamoDB, SQS, SNS, Secrets Manager, ECR
    ("dynamodb-table-pitr", "dynamodb_table", {"pitr": False}, {"pitr": True}),
    ("dynamodb-table-cmk", "dynamodb_table", {"customer_managed_key": False}, {"customer_managed_key": True}),
    (
        "dynamodb-table-deletion-protection",
        "dynamodb_table",
        {"deletion_protection": False},
        {"deletion_protection": True},
    ),
    ("sqs-queue-unencrypted", "sqs_queue", {"encryption": None}, {"encryption": "sqs"}),
    (
        "sqs-queue-public",
        "sqs_queue",
        {"policy": public()},
        {"policy": public(condition={"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:1:t"}})},
    ),
    ("sns-topic-unencrypted", "sns_topic", {"kms_key_id": None}, {"kms_key_id": "alias/aws/sns"}),
    (
        "sns-topic-public",
        "sns_topic",
        {"policy": public("sns:Publish")},
        {"policy": public("sns:Publish", {"StringEquals": {"AWS:SourceOwner": "1"}})},
    ),
    ("secretsmanager-rotation", "secret", {"rotation_enabled": False}, {"rotation_enabled": True}),
    (
        "secretsmanager-not-rotated-90-days",
        "secret",
        {"last_rotated": ago(200), "created": ago(400)},
        {"last_rotated": ago(10), "created": ago(400)},
    ),
    ("secretsmanager-unused", "secret", {"last_accessed": ago(120)}, {"last_accessed": ago(2)}),
    (
        "secretsmanager-public-policy",
        "secret",
        {"policy": public("secretsmanager:GetSecretValue")},
        {"policy": None},
    ),
    ("ecr-repository-scan-on-push", "ecr_repository", {"scan_on_push": False}, {"scan_on_push": True}),
    (
        "ecr-repository-mutable-tags",
        "ecr_repository",
        {"tag_immutability": "MUTABLE"},
        {"tag_immutability": "IMMUTABLE"},
    ),
    ("ecr-repository-public", "ecr_repository", {"policy": public("ecr:BatchGetImage")}, {"policy": None}),
    (
        "ecr-repository-lifecycle-policy",
        "ecr_repository",
        {"lifecycle_policy": False},
        {"lifecycle_policy": True},
    ),
    # CloudFront
    (
        "cloudfront-https",
        "cloudfront_distribution",
        {"viewer_protocol_policies": ["allow-all"]},
        {"viewer_protocol_policies": ["redirect-to-https", "https-only"]},
    ),
    (
        "cloudfront-deprecated-tls",
        "cloudfront_distribution",
        {"minimum_protocol_version": "TLSv1"},
        {
            "minimum_protocol_version": "TLSv1.2_2021",
            "custom_origins": [{"id": "o", "ssl_protocols": ["TLSv1.2"]}],
        },
    ),
    (
        "cloudfront-waf",
        "cloudfront_distribution",
        {"web_acl_id": None},
        {"web_acl_id": "arn:aws:wafv2:global/acl"},
    ),
    (
        "cloudfront-s3-origin-access-control",
        "cloudfront_distribution",
        {"s3_origins": [{"id": "s3", "oac": False}]},
        {"s3_origins": [{"id": "s3", "oac": True}]},
    ),
    ("cloudfront-logging", "cloudfront_distribution", {"logging": False}, {"logging": True}),
    (
        "cloudfront-default-root-object",
        "cloudfront_distribution",
        {"default_root_object": None, "s3_origins": [{"id": "s3"}]},
        {"default_root_object": "index.html", "s3_origins": [{"id": "s3"}]},
    ),
    (
        "cloudfront-origin-http",
        "cloudfront_distribution",
        {"custom_origins": [{"id": "o", "protocol_policy": "http-only"}]},
        {"custom_origins": [{"id": "o", "protocol_policy": "https-only"}]},
    ),
    # API Gateway
    (
        "apigateway-stage-logging",
        "api_gateway_stage",
        {"execution_logging": None, "access_logging": False},
        {"execution_logging": "ERROR", "access_logging": False},
    ),
    (
        "apigateway-no-authorizer",
        "api_gateway_stage",
        {"authorizers": 0, "endpoint_types": ["REGIONAL"]},
        {"authorizers": 1, "endpoint_types": ["REGIONAL"]},
    ),
    (
        "apigateway-stage-waf",
        "api_gateway_stage",
        {"web_acl_arn": None, "endpoint_types": ["EDGE"]},
        {"web_acl_arn": "arn:aws:wafv2:acl", "endpoint_types": ["EDGE"]},
    ),
    (
        "apigateway-stage-client-certificate",
        "api_gateway_stage",
        {"client_certificate": False},
        {"client_certificate": True},
    ),
    ("apigateway-stage-tracing", "api_gateway_stage", {"tracing": False}, {"tracing": True}),
    (
        "apigateway-cache-unencrypted",
        "api_gateway_stage",
        {"cache_encrypted": False},
        {"cache_encrypted": None},
    ),
    # ElastiCache, EFS
    (
        "elasticache-transit-encryption",
        "elasticache_replication_group",
        {"transit_encryption": False},
        {"transit_encryption": True},
    ),
    (
        "elasticache-rest-encryption",
        "elasticache_replication_group",
        {"at_rest_encryption": False},
        {"at_rest_encryption": True},
    ),
    (
        "elasticache-automatic-failover",
        "elasticache_replication_group",
        {"automatic_failover": "disabled"},
        {"automatic_failover": "enabled"},
    ),
    (
        "elasticache-multi-az",
        "elasticache_replication_group",
        {"multi_az": "disabled"},
        {"multi_az": "enabled"},
    ),
    (
        "elasticache-backups",
        "elasticache_replication_group",
        {"snapshot_retention": 0},
        {"snapshot_retention": 7},
    ),
    ("efs-unencrypted", "efs_file_system", {"encrypted": False}, {"encrypted": True}),
    ("efs-backup", "efs_file_system", {"backup_policy": "DISABLED"}, {"backup_policy": "ENABLED"}),
    (
        "efs-public-policy",
        "efs_file_system",
        {"policy": public("elasticfilesystem:ClientMount")},
        {"policy": public("elasticfilesystem:ClientMount", {"StringEquals": {"aws:PrincipalAccount": "1"}})},
    ),
    ("efs-one-zone", "efs_file_system", {"one_zone": True}, {"one_zone": False}),
    # Detection services, account
    (
        "guardduty-enabled",
        "guardduty_detector",
        {"exists": False, "enabled": False},
        {"exists": True, "enabled": True},
    ),
    (
        "guardduty-s3-protection",
        "guardduty_detector",
        {"enabled": True, "s3_protection": False},
        {"enabled": True, "s3_protection": True},
    ),
    ("securityhub-enabled", "securityhub_hub", {"enabled": False}, {"enabled": True}),
    ("accessanalyzer-enabled", "access_analyzer", {"active": False}, {"active": True}),
    (
        "accessanalyzer-active-findings",
        "access_analyzer",
        {"active": True, "active_findings": 3},
        {"active": True, "active_findings": 0},
    ),
    (
        "account-security-contact",
        "account_contacts",
        {"security_contact": None},
        {"security_contact": {"name": "SecOps", "email": "sec@example.com"}},
    ),
    ("organizations-membership", "organization", {"member": False}, {"member": True}),
    # CloudTrail
    (
        "cloudtrail-s3-data-events-write",
        "cloudtrail_account",
        {"trails": [{**TRAIL, "data_events": {"s3_read": True, "s3_write": False}}]},
        {"trails": [{**TRAIL, "data_events": {"s3_read": False, "s3_write": True}}]},
    ),
    (
        "cloudtrail-s3-data-events-read",
        "cloudtrail_account",
        {"trails": [{**TRAIL, "data_events": {"s3_read": False, "s3_write": True}}]},
        {"trails": [{**TRAIL, "data_events": {"s3_read": True, "s3_write": False}}]},
    ),
    (
        "cloudtrail-multi-region",
        "cloudtrail_account",
        {"trails": [{**TRAIL, "management_events": {"read": True, "write": False}}]},
        {"trails": [{**TRAIL, "management_events": {"read": True, "write": True}}]},
    ),
]

NORMALISED_CASES: list[tuple[str, AnyResourceType, dict[str, Any], bool]] = [
    case
    for rule_id, type_, bad, good in PAIRS
    for case in ((rule_id, type_, bad, True), (rule_id, type_, good, False))
]


def res(type_: AnyResourceType, **attributes: Any) -> Resource:
    return Resource(
        type=type_,
        id="r-1",
        name="thing",
        region=R,
        account="123456789012",
        attributes=attributes,
        observed_at=NOW,
    )


@pytest.mark.parametrize(
    ("rule_id", "type_", "attrs", "fails"), NORMALISED_CASES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_normalised_cases(rule_id: str, type_: AnyResourceType, attrs: dict[str, Any], fails: bool) -> None:
    rule = get_rule(rule_id)
    assert rule is not None and rule.resource_type == type_, rule_id
    violation = rule.evaluate(res(type_, **attrs))
    assert (violation is not None) is fails, violation
    if violation is not None:
        assert violation.detail.endswith("."), violation.detail


def test_escalation_and_admin_policies_do_not_overlap() -> None:
    admin = get_rule("iam-inline-policy-full-admin")
    escalation = get_rule("iam-inline-policy-privilege-escalation")
    assert admin is not None and escalation is not None
    full = res("iam_inline_policy", document=doc("*"))
    assert admin.evaluate(full) is not None and escalation.evaluate(full) is None


def test_multi_region_trail_needs_read_and_write_management_events() -> None:
    rule = get_rule("cloudtrail-multi-region")
    assert rule is not None
    no_events = res(
        "cloudtrail_account", trails=[{**TRAIL, "management_events": {"read": False, "write": False}}]
    )
    violation = rule.evaluate(no_events)
    assert violation is not None and "records no read and write management events" in violation.detail
    # A second, complete trail satisfies the control.
    both = res(
        "cloudtrail_account",
        trails=[
            {**TRAIL, "management_events": {"read": False, "write": False}},
            {**TRAIL, "name": "all", "management_events": {"read": True, "write": True}},
        ],
    )
    assert rule.evaluate(both) is None


# --- On moto -----------------------------------------------------------------------------------

ACCOUNT = "123456789012"
NEW_TYPES: list[AnyResourceType] = [
    "lambda_function",
    "load_balancer",
    "subnet",
    "network_acl",
    "iam_role",
    "iam_inline_policy",
    "iam_account",
    "dynamodb_table",
    "sqs_queue",
    "sns_topic",
    "secret",
    "ecr_repository",
    "eks_cluster",
    "cloudfront_distribution",
    "api_gateway_stage",
    "elasticache_replication_group",
    "efs_file_system",
    "rds_instance",
    "rds_snapshot",
    "guardduty_detector",
    "securityhub_hub",
    "account_contacts",
    "organization",
    "cloudtrail_account",
    "s3_bucket",
    "ec2_instance",
    "security_group",
    "iam_policy",
    "iam_user",
]


def _seed(aws: AwsClients) -> dict[str, str]:
    """Misconfigured ("bad-…") and compliant ("good-…") resources; returns names of ids moto picks."""
    ids: dict[str, str] = {}
    ec2 = aws.client("ec2", R)
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24", AvailabilityZone=f"{R}a")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.2.0/24", AvailabilityZone=f"{R}b")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=a, MapPublicIpOnLaunch={"Value": True})
    ids["public-subnet"], ids["private-subnet"] = a, b
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=100,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock=WORLD,
        PortRange={"From": 22, "To": 22},
    )
    ids["open-acl"] = acl
    # An instance with a public IP behind a group open to SSH.
    group = ec2.create_security_group(GroupName="bad-ssh", Description="ssh", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": WORLD}]}]
    )
    ids["bad-sg"] = group
    inst = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        SubnetId=a,
        SecurityGroupIds=[group],
        InstanceType="t3.micro",
    )["Instances"][0]["InstanceId"]
    ids["bad-instance"] = inst
    # IAM: an inline *:* policy, a role trusting a service without source, AdministratorAccess on a role.
    iam = aws.client("iam", R)
    iam.create_user(UserName="bad-inline")
    iam.put_user_policy(UserName="bad-inline", PolicyName="admin", PolicyDocument=json.dumps(doc("*")))
    iam.create_user(UserName="good-inline")
    iam.put_user_policy(
        UserName="good-inline", PolicyName="read", PolicyDocument=json.dumps(doc("s3:GetObject"))
    )
    iam.create_role(RoleName="bad-role", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    # moto does not load AWS-managed policies: a customer policy of the same name stands in for it.
    admin = iam.create_policy(PolicyName="AdministratorAccess", PolicyDocument=json.dumps(doc("*")))
    iam.attach_role_policy(RoleName="bad-role", PolicyArn=admin["Policy"]["Arn"])
    iam.create_role(RoleName="good-role", AssumeRolePolicyDocument=json.dumps(TRUST_SOURCE))
    iam.create_policy(PolicyName="bad-kms", PolicyDocument=json.dumps(doc("kms:*")))
    # Lambda
    role_arn = iam.get_role(RoleName="good-role")["Role"]["Arn"]
    lam = aws.client("lambda", R)
    for name, runtime, env in (
        ("bad-fn", "python3.7", {"DB_PASSWORD": "hunter2"}),
        ("good-fn", "python3.12", {"STAGE": "prod"}),
    ):
        lam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role_arn,
            Handler="app.handler",
            Code={"ZipFile": b"fake"},
            Environment={"Variables": env},
        )
    lam.create_function_url_config(FunctionName="bad-fn", AuthType="NONE", Cors={"AllowOrigins": ["*"]})
    lam.add_permission(
        FunctionName="bad-fn", StatementId="public", Action="lambda:InvokeFunction", Principal="*"
    )
    # Load balancers: an ALB with a plain HTTP listener, and one redirecting to HTTPS.
    elb = aws.client("elbv2", R)
    for name in ("bad-alb", "good-alb"):
        lb = elb.create_load_balancer(Name=name, Subnets=[a, b], Scheme="internet-facing", Type="application")
        arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
        tg = elb.create_target_group(Name=f"{name}-tg", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][
            0
        ]
        action = (
            {"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}
            if name == "bad-alb"
            else {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
            }
        )
        elb.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=[action])
        if name == "good-alb":
            elb.modify_load_balancer_attributes(
                LoadBalancerArn=arn,
                Attributes=[
                    {"Key": "deletion_protection.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.bucket", "Value": "good-logs"},
                    {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                ],
            )
    # DynamoDB
    ddb = aws.client("dynamodb", R)
    for name in ("bad-table", "good-table"):
        ddb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            DeletionProtectionEnabled=name == "good-table",
        )
    ddb.update_continuous_backups(
        TableName="good-table", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    # SQS / SNS
    sqs = aws.client("sqs", R)
    sqs.create_queue(
        QueueName="bad-queue", Attributes={"Policy": json.dumps(public()), "SqsManagedSseEnabled": "false"}
    )
    sqs.create_queue(QueueName="good-queue", Attributes={"SqsManagedSseEnabled": "true"})
    sns = aws.client("sns", R)
    bad_topic = sns.create_topic(Name="bad-topic")["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=bad_topic, AttributeName="Policy", AttributeValue=json.dumps(public("sns:Publish"))
    )
    sns.create_topic(Name="good-topic", Attributes={"KmsMasterKeyId": "alias/aws/sns"})
    # Secrets Manager
    sm = aws.client("secretsmanager", R)
    sm.create_secret(Name="bad-secret", SecretString="x")
    # ECR
    ecr = aws.client("ecr", R)
    ecr.create_repository(repositoryName="bad-repo")
    ecr.set_repository_policy(repositoryName="bad-repo", policyText=json.dumps(public("ecr:BatchGetImage")))
    ecr.create_repository(
        repositoryName="good-repo",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
    )
    # EKS
    eks = aws.client("eks", R)
    eks.create_cluster(
        name="bad-eks",
        roleArn=role_arn,
        resourcesVpcConfig={"subnetIds": [a, b], "endpointPublicAccess": True},
    )
    # API Gateway: a stage without logging
    gw = aws.client("apigateway", R)
    api = gw.create_rest_api(name="bad-api")["id"]
    root = gw.get_resources(restApiId=api)["items"][0]["id"]
    gw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    gw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    gw.create_deployment(restApiId=api, stageName="prod")
    ids["bad-api"] = f"{api}/prod"
    # ElastiCache
    aws.client("elasticache", R).create_replication_group(
        ReplicationGroupId="bad-cache",
        ReplicationGroupDescription="x",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=1,
    )
    # EFS
    efs = aws.client("efs", R)
    ids["bad-efs"] = efs.create_file_system(CreationToken="bad", Encrypted=False)["FileSystemId"]
    ids["good-efs"] = efs.create_file_system(CreationToken="good", Encrypted=True, Backup=True)[
        "FileSystemId"
    ]
    # RDS: default admin user, single-AZ; a public manual snapshot.
    rds = aws.client("rds", R)
    rds.create_db_instance(
        DBInstanceIdentifier="bad-db",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        MasterUsername="postgres",
        MasterUserPassword="password123",
        AllocatedStorage=20,
    )
    rds.create_db_snapshot(DBInstanceIdentifier="bad-db", DBSnapshotIdentifier="bad-snap")
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="bad-snap", AttributeName="restore", ValuesToAdd=["all"]
    )
    # S3: a bucket with ACLs enabled and no access logging.
    aws.client("s3", R).create_bucket(Bucket="bad-bucket")
    # CloudTrail: a logging multi-region trail that records no management events.
    aws.client("s3", R).create_bucket(Bucket="trail-bucket")
    ct = aws.client("cloudtrail", R)
    ct.create_trail(Name="org-trail", S3BucketName="trail-bucket", IsMultiRegionTrail=True)
    ct.start_logging(Name="org-trail")
    ct.put_event_selectors(
        TrailName="org-trail",
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": False,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
            }
        ],
    )
    # GuardDuty and Security Hub: on in eu-west-1 only; an organisation and a security contact.
    aws.client("guardduty", "eu-west-1").create_detector(Enable=True)
    aws.client("securityhub", "eu-west-1").enable_security_hub()
    aws.client("organizations", R).create_organization(FeatureSet="ALL")
    aws.client("account", R).put_alternate_contact(
        AlternateContactType="SECURITY",
        Name="SecOps",
        EmailAddress="sec@example.com",
        PhoneNumber="+1555",
        Title="x",
    )
    return ids


@pytest.fixture(scope="module")
def scanned(
    moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, str], dict[tuple[str, str], str], list[Resource]]]:
    """One seeded account, collected once (every new type, both regions) and judged by every rule."""
    reset_moto(moto_endpoint)
    settings = make_settings(tmp_path_factory.mktemp("coverage"), moto_endpoint)
    aws = AwsClients(settings.aws)
    ids = _seed(aws)
    from store import Store

    store = Store(settings.sqlalchemy_url)
    ctx = ToolContext(settings=settings, clock=settings.clock(), aws=aws, store=store)
    gathered = gather(ctx, plan_tasks(NEW_TYPES, settings.aws.regions))
    assert not gathered.errors, gathered.errors
    findings = evaluate(gathered.resources, all_rules())
    yield ids, {(f.rule_id, f.resource_id): f.region for f in findings}, gathered.resources
    store.close()


# (rule id, resource id or a key of the seeded ids, region where it must fail, or None: must pass)
MOTO_EXPECTATIONS: list[tuple[str, str, str | None]] = [
    ("ec2-subnet-auto-public-ip", "public-subnet", R),
    ("ec2-subnet-auto-public-ip", "private-subnet", None),
    ("ec2-nacl-open-admin-ports", "open-acl", R),
    ("ec2-nacl-open-all-ports", "open-acl", None),
    ("ec2-sg-open-all-ports", "bad-sg", R),
    ("ec2-instance-ssh-exposed", "bad-instance", R),
    ("ec2-instance-rdp-exposed", "bad-instance", R),
    ("ec2-instance-profile-missing", "bad-instance", R),
    ("iam-inline-policy-full-admin", "user/bad-inline/admin", "global"),
    ("iam-inline-policy-full-admin", "user/good-inline/read", None),
    ("iam-role-admin-access", "bad-role", "global"),
    ("iam-role-admin-access", "good-role", None),
    ("iam-role-service-trust-unrestricted", "bad-role", "global"),
    ("iam-role-service-trust-unrestricted", "good-role", None),
    ("iam-policy-kms-full-access", "bad-kms", "global"),
    ("iam-support-role", "iam-account", "global"),
    ("lambda-function-public-url", "bad-fn", R),
    ("lambda-function-public-url", "good-fn", None),
    ("lambda-function-public-policy", "bad-fn", R),
    ("lambda-function-public-policy", "good-fn", None),
    ("lambda-function-deprecated-runtime", "bad-fn", R),
    ("lambda-function-deprecated-runtime", "good-fn", None),
    ("lambda-function-env-secrets", "bad-fn", R),
    ("lambda-function-env-secrets", "good-fn", None),
    ("lambda-function-url-cors-wildcard", "bad-fn", R),
    ("lambda-function-not-in-vpc", "good-fn", R),
    ("elb-http-listener-without-redirect", "bad-alb", R),
    ("elb-http-listener-without-redirect", "good-alb", None),
    ("elb-deletion-protection", "bad-alb", R),
    ("elb-deletion-protection", "good-alb", None),
    ("elb-access-logs", "bad-alb", R),
    ("elb-access-logs", "good-alb", None),
    ("elb-drop-invalid-headers", "bad-alb", R),
    ("elb-drop-invalid-headers", "good-alb", None),
    ("elb-single-az", "good-alb", None),
    ("dynamodb-table-pitr", "bad-table", R),
    ("dynamodb-table-pitr", "good-table", None),
    ("dynamodb-table-deletion-protection", "bad-table", R),
    ("dynamodb-table-deletion-protection", "good-table", None),
    ("dynamodb-table-cmk", "bad-table", R),
    ("sqs-queue-public", "bad-queue", R),
    ("sqs-queue-public", "good-queue", None),
    ("sqs-queue-unencrypted", "bad-queue", R),
    ("sqs-queue-unencrypted", "good-queue", None),
    ("sns-topic-public", "bad-topic", R),
    ("sns-topic-public", "good-topic", None),
    ("sns-topic-unencrypted", "bad-topic", R),
    ("sns-topic-unencrypted", "good-topic", None),
    ("secretsmanager-rotation", "bad-secret", R),
    ("ecr-repository-public", "bad-repo", R),
    ("ecr-repository-public", "good-repo", None),
    ("ecr-repository-scan-on-push", "bad-repo", R),
    ("ecr-repository-scan-on-push", "good-repo", None),
    ("ecr-repository-mutable-tags", "bad-repo", R),
    ("ecr-repository-mutable-tags", "good-repo", None),
    ("ecr-repository-lifecycle-policy", "bad-repo", R),
    ("eks-public-endpoint", "bad-eks", R),
    ("eks-secrets-encryption", "bad-eks", R),
    ("eks-control-plane-logging", "bad-eks", R),
    ("apigateway-stage-logging", "bad-api", R),
    ("apigateway-no-authorizer", "bad-api", R),
    ("apigateway-stage-tracing", "bad-api", R),
    ("apigateway-stage-client-certificate", "bad-api", R),
    ("elasticache-transit-encryption", "bad-cache", R),
    ("elasticache-rest-encryption", "bad-cache", R),
    ("elasticache-backups", "bad-cache", R),
    ("efs-unencrypted", "bad-efs", R),
    ("efs-unencrypted", "good-efs", None),
    ("efs-backup", "bad-efs", R),
    ("efs-backup", "good-efs", None),
    ("rds-instance-default-admin", "bad-db", R),
    ("rds-instance-multi-az", "bad-db", R),
    ("rds-instance-iam-auth", "bad-db", R),
    ("rds-instance-enhanced-monitoring", "bad-db", R),
    ("rds-instance-default-port", "bad-db", R),
    ("rds-instance-transport-encryption", "bad-db", R),
    ("rds-snapshot-public", "bad-snap", R),
    ("rds-snapshot-unencrypted", "bad-snap", R),
    ("s3-bucket-access-logging", "bad-bucket", "us-east-1"),
    ("s3-bucket-acls-enabled", "bad-bucket", "us-east-1"),
    ("s3-bucket-lifecycle", "bad-bucket", "us-east-1"),
    ("cloudtrail-multi-region", "cloudtrail", "global"),
    ("cloudtrail-s3-data-events-read", "cloudtrail", None),
    ("cloudtrail-s3-data-events-write", "cloudtrail", None),
    ("guardduty-enabled", "guardduty", R),
    ("securityhub-enabled", "securityhub", R),
    ("organizations-membership", "organization", None),
    ("account-security-contact", "account-contacts", None),
]


@pytest.mark.parametrize(
    ("rule_id", "resource", "region"), MOTO_EXPECTATIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_rules_on_moto(
    scanned: tuple[dict[str, str], dict[tuple[str, str], str], list[Resource]],
    rule_id: str,
    resource: str,
    region: str | None,
) -> None:
    ids, found, resources = scanned
    resource_id = ids.get(resource, resource)
    assert any(r.id == resource_id for r in resources), f"{resource_id} was not collected"
    if region is None:
        assert (rule_id, resource_id) not in found
    else:
        assert found.get((rule_id, resource_id)) == region, sorted(k for k in found if k[1] == resource_id)


def test_detection_services_are_judged_per_region(
    scanned: tuple[dict[str, str], dict[tuple[str, str], str], list[Resource]],
) -> None:
    _, _, resources = scanned
    by_region = {
        (r.type, r.region): r.attributes
        for r in resources
        if r.type in ("guardduty_detector", "securityhub_hub")
    }
    assert by_region[("guardduty_detector", "eu-west-1")]["enabled"] is True
    assert by_region[("guardduty_detector", R)]["exists"] is False
    assert by_region[("securityhub_hub", "eu-west-1")]["enabled"] is True


def test_collectors_never_keep_secret_values(
    scanned: tuple[dict[str, str], dict[tuple[str, str], str], list[Resource]],
) -> None:
    _, _, resources = scanned
    fn = next(r for r in resources if r.id == "bad-fn")
    assert fn.attributes["secret_env_vars"] == ["DB_PASSWORD"]
    assert "hunter2" not in json.dumps([r.model_dump(mode="json") for r in resources])


def test_inventory_collects_in_every_region(
    scanned: tuple[dict[str, str], dict[tuple[str, str], str], list[Resource]], tmp_path: Path
) -> None:
    _, _, resources = scanned
    regional = {r.region for r in resources if r.type == "guardduty_detector"}
    assert regional == {"us-east-1", "eu-west-1"}
    assert {r.account for r in resources} == {ACCOUNT}
