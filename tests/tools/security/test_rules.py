"""Rules judge normalised resources only, so they are checked here without any AWS at all.

This is also where the rules whose misconfiguration moto cannot represent (root access keys,
a virtual root MFA, old or unused credentials) are proven to fire and to pass.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandbox.manifest import NOT_REPRESENTABLE
from tools.inventory.kinds import ALL_RESOURCE_TYPES
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.registry import ACTIONS
from tools.security.engine import evaluate
from tools.security.rule import CIS_AWS, FRAMEWORKS, PCI_DSS, SOC2, Rule, parse_time
from tools.security.rules import RULE_CLASSES, all_rules, get_rule, rules_for
from tools.security.rules.ebs.unencrypted_volume import UnencryptedVolume
from tools.security.rules.ec2.open_admin_ports import OpenAdminPorts
from tools.security.rules.ec2.open_database_ports import OpenDatabasePorts
from tools.security.rules.iam.console_user_without_mfa import ConsoleUserWithoutMfa
from tools.security.rules.rds.public_instance import PublicRdsInstance
from tools.security.rules.s3.public_bucket import PublicS3Bucket

NOW = datetime(2024, 10, 15, 12, 0, tzinfo=UTC)
FULL_BLOCK = {
    "block_public_acls": True,
    "ignore_public_acls": True,
    "block_public_policy": True,
    "restrict_public_buckets": True,
}
NO_BLOCK = dict.fromkeys(FULL_BLOCK, False)
PUBLIC_READ = [
    {"grantee": "owner-id", "grantee_type": "CanonicalUser", "permission": "FULL_CONTROL"},
    {"grantee": "AllUsers", "grantee_type": "Group", "permission": "READ"},
]


def res(type_: AnyResourceType, **attributes: Any) -> Resource:
    return Resource(
        type=type_, id="r-1", name="thing", region="us-east-1", attributes=attributes, observed_at=NOW
    )


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def policy(principal: Any, condition: dict[str, Any] | None = None, effect: str = "Allow") -> dict[str, Any]:
    st: dict[str, Any] = {
        "Effect": effect,
        "Principal": principal,
        "Action": ["s3:GetObject"],
        "Resource": "*",
    }
    if condition:
        st["Condition"] = condition
    return {"Statement": [st]}


# Rules mapped to a control in one framework only (docs/COMPLIANCE.md).
SINGLE_FRAMEWORK_RULES = {
    "accessanalyzer-enabled",
    "apigateway-stage-client-certificate",
    "cloudfront-default-root-object",
    "cloudwatch-alarm-console-signin-without-mfa",
    "cloudwatch-alarm-kms-key-deletion",
    "dynamodb-table-deletion-protection",
    "ec2-eip-unattached",
    "ec2-instance-detailed-monitoring",
    "ec2-instance-rdp-exposed",
    "ec2-instance-ssh-exposed",
    "ec2-sg-open-kafka",
    "ecr-repository-mutable-tags",
    "elasticache-automatic-failover",
    "elb-deletion-protection",
    "elb-desync-mitigation",
    "elb-drop-invalid-headers",
    "elb-http-listener-without-redirect",
    "elb-single-az",
    "guardduty-s3-protection",
    "iam-inline-policy-kms-full-access",
    "iam-inline-policy-privilege-escalation",
    "iam-password-complexity",
    "iam-policy-cloudtrail-full-access",
    "iam-policy-kms-full-access",
    "iam-support-role",
    "iam-user-multiple-active-keys",
    "kms-key-public-policy",
    "lambda-function-deprecated-runtime",
    "lambda-function-public-url",
    "organizations-membership",
    "rds-instance-default-admin",
    "rds-instance-default-port",
    "rds-instance-enhanced-monitoring",
    "rds-instance-multi-az",
    "rds-instance-transport-encryption",
    "s3-bucket-public-list-acl",
    "secretsmanager-not-rotated-90-days",
    "sns-topic-public",
    "sqs-queue-unencrypted",
}
# Rules whose Prowler equivalent none of the four frameworks' mapping files lists, and whose
# controls' own texts do not name what they test either: no framework, rather than a guess.
UNMAPPED_RULES = {
    "accessanalyzer-active-findings",
    "apigateway-no-authorizer",
    "ecr-repository-public",
    "efs-one-zone",
    "efs-public-policy",
    "eks-private-endpoint",
    "elasticache-multi-az",
    "elb-insecure-tls-policy",
    "iam-inline-policy-cloudtrail-full-access",
    "iam-policy-privilege-escalation",
    "iam-role-service-trust-unrestricted",
    "lambda-function-env-secrets",
    "lambda-function-url-cors-wildcard",
    "rds-instance-deprecated-engine",
    "secretsmanager-public-policy",
    "sqs-queue-public",
}

TLS = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": "*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def test_rule_metadata_is_complete() -> None:
    rules = all_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids)) == len(RULE_CLASSES) >= 150
    assert Counter(r.service for r in rules) == {
        "iam": 25,
        "ec2": 19,
        "rds": 16,
        "cloudwatch": 15,
        "s3": 14,
        "elb": 8,
        "cloudtrail": 7,
        "cloudfront": 7,
        "lambda": 6,
        "apigateway": 6,
        "eks": 5,
        "elasticache": 5,
        "ebs": 4,
        "secretsmanager": 4,
        "ecr": 4,
        "efs": 4,
        "kms": 3,
        "dynamodb": 3,
        "sqs": 2,
        "sns": 2,
        "guardduty": 2,
        "accessanalyzer": 2,
        "config": 1,
        "securityhub": 1,
        "account": 1,
        "organizations": 1,
    }
    for rule in rules:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.id), rule.id
        assert rule.title and rule.description and rule.remediation
        assert rule.resource_type in ALL_RESOURCE_TYPES
        # Control ids are checked against published mappings (docs/COMPLIANCE.md): at least two
        # frameworks, except where only one has a control for what the rule tests.
        wanted = 0 if rule.id in UNMAPPED_RULES else 1 if rule.id in SINGLE_FRAMEWORK_RULES else 2
        assert len(rule.compliance) >= wanted, rule.id
        assert set(rule.compliance) <= set(FRAMEWORKS)
        assert all(rule.compliance.values())
        # Every rule names the Prowler check(s) it corresponds to.
        assert rule.prowler_checks, rule.id
        assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", c) for c in rule.prowler_checks), rule.id
        assert all(len(controls) <= 3 for controls in rule.compliance.values()), rule.id
        for control in rule.compliance.get(CIS_AWS, ()):
            assert re.fullmatch(r"[1-5](\.\d+){1,2}", control), (rule.id, control)
        for control in rule.compliance.get(PCI_DSS, ()):
            assert re.fullmatch(r"A?\d+(\.\d+){1,3}", control), (rule.id, control)
        for control in rule.compliance.get(SOC2, ()):
            assert re.fullmatch(r"(CC|A|C|PI)\d\.\d", control), (rule.id, control)
        if rule.remediation_action is not None:
            assert rule.remediation_action in ACTIONS, rule.id
        assert type(get_rule(rule.id)) is type(rule)
    assert {r.id for r in rules if len(r.compliance) == 1} == SINGLE_FRAMEWORK_RULES
    assert {r.id for r in rules if not r.compliance} == UNMAPPED_RULES
    assert sum(1 for r in rules if CIS_AWS in r.compliance) >= 34
    assert sum(1 for r in rules if PCI_DSS in r.compliance) >= 27
    assert sum(1 for r in rules if SOC2 in r.compliance) >= 29
    assert get_rule("nope") is None
    assert {r.id for r in rules_for(["s3"])} >= {"s3-bucket-public", "s3-account-public-access-block"}
    assert len(rules_for([])) == len(rules)
    assert set(ids) >= NOT_REPRESENTABLE


@pytest.mark.parametrize(
    ("attrs", "public"),
    [
        ({"acl_grants": PUBLIC_READ, "public_access_block": NO_BLOCK}, True),
        ({"acl_grants": PUBLIC_READ, "public_access_block": FULL_BLOCK}, False),
        ({"acl_grants": PUBLIC_READ, "public_access_block": {**NO_BLOCK, "ignore_public_acls": True}}, False),
        # The account-level setting counts as much as the bucket's own.
        (
            {
                "acl_grants": PUBLIC_READ,
                "public_access_block": NO_BLOCK,
                "account_public_access_block": FULL_BLOCK,
            },
            False,
        ),
        (
            {"acl_grants": PUBLIC_READ, "public_access_block": NO_BLOCK, "account_public_access_block": None},
            True,
        ),
        ({"acl_grants": [{"grantee": "AuthenticatedUsers", "permission": "WRITE"}]}, True),
        ({"policy": policy("*")}, True),
        ({"policy": policy({"AWS": ["*"]})}, True),
        (
            {"policy": policy("*"), "public_access_block": {**NO_BLOCK, "restrict_public_buckets": True}},
            False,
        ),
        ({"policy": policy("*", {"StringEquals": {"aws:SourceVpce": "vpce-1"}})}, False),
        ({"policy": policy("*", {"Bool": {"aws:SecureTransport": "false"}})}, True),
        ({"policy": policy("*", effect="Deny")}, False),
        ({"policy": policy({"AWS": "arn:aws:iam::210987654321:root"})}, False),
        ({"acl_grants": [{"grantee": "LogDelivery", "permission": "WRITE"}]}, False),
        ({}, False),
    ],
)
def test_public_bucket(attrs: dict[str, Any], public: bool) -> None:
    assert (PublicS3Bucket().evaluate(res("s3_bucket", **attrs)) is not None) is public


def entry(protocol: str, low: int | None, high: int | None, cidr: str | None) -> dict[str, Any]:
    return {"protocol": protocol, "from_port": low, "to_port": high, "cidr": cidr, "source_group": None}


@pytest.mark.parametrize(
    ("ingress", "params"),
    [
        ([entry("tcp", 22, 22, "0.0.0.0/0")], {"port": 22, "cidr": "0.0.0.0/0"}),
        ([entry("tcp", 3389, 3389, "::/0")], {"port": 3389, "cidr": "::/0"}),
        ([entry("-1", None, None, "0.0.0.0/0")], {"cidr": "0.0.0.0/0"}),
        ([entry("tcp", 0, 65535, "0.0.0.0/0"), entry("tcp", 22, 22, "::/0")], {}),
        ([entry("tcp", 20, 25, "0.0.0.0/0")], {"port": 22, "cidr": "0.0.0.0/0"}),
        ([entry("tcp", 22, 22, "10.0.0.0/8")], None),
        ([entry("udp", 22, 22, "0.0.0.0/0")], None),
        ([entry("tcp", 443, 443, "0.0.0.0/0"), entry("tcp", 22, 22, None)], None),
        ([], None),
    ],
)
def test_open_admin_ports(ingress: list[dict[str, Any]], params: dict[str, Any] | None) -> None:
    violation = OpenAdminPorts().evaluate(res("security_group", ingress=ingress))
    assert (violation.remediation_params if violation else None) == params


@pytest.mark.parametrize(
    ("ingress", "params"),
    [
        ([entry("tcp", 5432, 5432, "0.0.0.0/0")], {"port": 5432, "cidr": "0.0.0.0/0"}),
        (
            [entry("tcp", 3306, 3306, "::/0"), entry("tcp", 6379, 6379, "::/0")],
            {"ports": [3306, 6379], "cidr": "::/0"},
        ),
        ([entry("tcp", 22, 22, "0.0.0.0/0")], None),
        ([entry("tcp", 5432, 5432, "10.0.0.0/8")], None),
    ],
)
def test_open_database_ports(ingress: list[dict[str, Any]], params: dict[str, Any] | None) -> None:
    violation = OpenDatabasePorts().evaluate(res("security_group", ingress=ingress))
    assert (violation.remediation_params if violation else None) == params


KEY_OLD = {"id": "AKIAOLDOLDOLDOLD0001", "status": "Active", "created": ago(200), "last_used": ago(1)}
KEY_NEW = {"id": "AKIANEWNEWNEWNEW0002", "status": "Active", "created": ago(10), "last_used": ago(1)}
KEY_IDLE = {"id": "AKIAIDLEIDLEIDLE0003", "status": "Active", "created": ago(60), "last_used": None}
KEY_OFF = {"id": "AKIAOFFOFFOFFOFF0004", "status": "Inactive", "created": ago(400), "last_used": None}

# (rule id, resource type, attributes, fails?) -- each rule at least once each way.
CASES: list[tuple[str, AnyResourceType, dict[str, Any], bool]] = [
    # IAM
    ("iam-root-access-keys", "iam_root_user", {"access_keys_present": True}, True),
    ("iam-root-access-keys", "iam_root_user", {"access_keys_present": False}, False),
    ("iam-root-mfa", "iam_root_user", {"mfa_enabled": False}, True),
    ("iam-root-mfa", "iam_root_user", {"mfa_enabled": True}, False),
    ("iam-root-mfa", "iam_root_user", {}, False),
    ("iam-root-hardware-mfa", "iam_root_user", {"mfa_enabled": True, "virtual_mfa": True}, True),
    ("iam-root-hardware-mfa", "iam_root_user", {"mfa_enabled": True, "virtual_mfa": False}, False),
    ("iam-root-hardware-mfa", "iam_root_user", {"mfa_enabled": False, "virtual_mfa": False}, False),
    ("iam-password-min-length", "iam_password_policy", {"exists": False}, True),
    ("iam-password-min-length", "iam_password_policy", {"exists": True, "minimum_length": 8}, True),
    ("iam-password-min-length", "iam_password_policy", {"exists": True, "minimum_length": 14}, False),
    ("iam-password-reuse", "iam_password_policy", {"exists": True, "reuse_prevention": 5}, True),
    ("iam-password-reuse", "iam_password_policy", {"exists": True, "reuse_prevention": 24}, False),
    ("iam-password-complexity", "iam_password_policy", {"exists": True, "require_symbols": True}, True),
    (
        "iam-password-complexity",
        "iam_password_policy",
        {
            "exists": True,
            "require_symbols": True,
            "require_numbers": True,
            "require_uppercase": True,
            "require_lowercase": True,
        },
        False,
    ),
    ("iam-user-console-without-mfa", "iam_user", {"console_access": True, "mfa_devices": 0}, True),
    ("iam-user-console-without-mfa", "iam_user", {"console_access": True, "mfa_devices": 1}, False),
    ("iam-user-console-without-mfa", "iam_user", {"console_access": False, "mfa_devices": 0}, False),
    ("iam-user-multiple-active-keys", "iam_user", {"access_keys": [KEY_OLD, KEY_NEW]}, True),
    ("iam-user-multiple-active-keys", "iam_user", {"active_access_keys": 2}, True),
    ("iam-user-multiple-active-keys", "iam_user", {"access_keys": [KEY_NEW, KEY_OFF]}, False),
    ("iam-user-access-key-not-rotated", "iam_user", {"access_keys": [KEY_OLD]}, True),
    ("iam-user-access-key-not-rotated", "iam_user", {"access_keys": [KEY_NEW, KEY_OFF]}, False),
    ("iam-user-unused-credentials", "iam_user", {"access_keys": [KEY_IDLE]}, True),
    (
        "iam-user-unused-credentials",
        "iam_user",
        {"console_access": True, "password_last_used": ago(50), "created": ago(300)},
        True,
    ),
    (
        "iam-user-unused-credentials",
        "iam_user",
        {"console_access": True, "password_last_used": ago(3), "access_keys": [KEY_NEW, KEY_OFF]},
        False,
    ),
    ("iam-user-direct-policies", "iam_user", {"attached_policies": ["x"], "inline_policies": []}, True),
    ("iam-user-direct-policies", "iam_user", {"attached_policies": [], "inline_policies": ["y"]}, True),
    ("iam-user-direct-policies", "iam_user", {"attached_policies": [], "inline_policies": []}, False),
    (
        "iam-policy-full-admin",
        "iam_policy",
        {
            "attachment_count": 1,
            "document": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        },
        True,
    ),
    (
        "iam-policy-full-admin",
        "iam_policy",
        {
            "attachment_count": 0,
            "document": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        },
        False,
    ),
    (
        "iam-policy-full-admin",
        "iam_policy",
        {
            "attachment_count": 3,
            "document": {"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}},
        },
        False,
    ),
    # S3
    ("s3-bucket-public-access-block", "s3_bucket", {"public_access_block": NO_BLOCK}, True),
    ("s3-bucket-public-access-block", "s3_bucket", {"public_access_block": FULL_BLOCK}, False),
    (
        "s3-bucket-public-access-block",
        "s3_bucket",
        {"public_access_block": NO_BLOCK, "account_public_access_block": FULL_BLOCK},
        False,
    ),
    ("s3-account-public-access-block", "s3_account_settings", {"public_access_block": NO_BLOCK}, True),
    ("s3-account-public-access-block", "s3_account_settings", {"public_access_block": FULL_BLOCK}, False),
    ("s3-bucket-encryption", "s3_bucket", {"encryption": None}, True),
    ("s3-bucket-encryption", "s3_bucket", {"encryption": "aws:kms"}, False),
    ("s3-bucket-versioning", "s3_bucket", {"versioning": "Suspended"}, True),
    ("s3-bucket-versioning", "s3_bucket", {"versioning": "Enabled"}, False),
    ("s3-bucket-secure-transport", "s3_bucket", {"policy": None}, True),
    ("s3-bucket-secure-transport", "s3_bucket", {"policy": {"Statement": [TLS]}}, False),
    (
        "s3-bucket-secure-transport",
        "s3_bucket",
        {"policy": {"Statement": [{**TLS, "Effect": "Allow"}]}},
        True,
    ),
    # EC2 / VPC
    (
        "ec2-default-sg-not-restricted",
        "security_group",
        {"group_name": "default", "ingress": [], "egress": [entry("-1", None, None, "0.0.0.0/0")]},
        True,
    ),
    (
        "ec2-default-sg-not-restricted",
        "security_group",
        {"group_name": "default", "ingress": [], "egress": []},
        False,
    ),
    (
        "ec2-default-sg-not-restricted",
        "security_group",
        {"group_name": "web", "ingress": [entry("tcp", 443, 443, "0.0.0.0/0")], "egress": []},
        False,
    ),
    ("ec2-vpc-flow-logs", "vpc", {"flow_logs": 0, "is_default": True}, True),
    ("ec2-vpc-flow-logs", "vpc", {"flow_logs": 1}, False),
    ("ec2-instance-imdsv2", "ec2_instance", {"http_tokens": "optional", "state": "running"}, True),
    ("ec2-instance-imdsv2", "ec2_instance", {"http_tokens": "required"}, False),
    ("ec2-instance-imdsv2", "ec2_instance", {"http_tokens": "optional", "http_endpoint": "disabled"}, False),
    ("ec2-instance-imdsv2", "ec2_instance", {}, False),
    ("ec2-instance-public-ip", "ec2_instance", {"public_ip": "54.1.2.3", "state": "running"}, True),
    ("ec2-instance-public-ip", "ec2_instance", {"public_ip": None}, False),
    ("ec2-eip-unattached", "elastic_ip", {"association_id": None, "public_ip": "3.3.3.3"}, True),
    ("ec2-eip-unattached", "elastic_ip", {"association_id": "eipassoc-1", "instance_id": "i-1"}, False),
    # EBS
    ("ebs-volume-unencrypted", "ebs_volume", {"encrypted": False}, True),
    ("ebs-volume-unencrypted", "ebs_volume", {"encrypted": True}, False),
    ("ebs-default-encryption-off", "ebs_encryption_default", {"enabled": False}, True),
    ("ebs-default-encryption-off", "ebs_encryption_default", {"enabled": True}, False),
    ("ebs-snapshot-public", "ebs_snapshot", {"public": True}, True),
    ("ebs-snapshot-public", "ebs_snapshot", {"public": False}, False),
    ("ebs-snapshot-unencrypted", "ebs_snapshot", {"encrypted": False}, True),
    ("ebs-snapshot-unencrypted", "ebs_snapshot", {"encrypted": True}, False),
    # RDS
    ("rds-instance-public", "rds_instance", {"publicly_accessible": True}, True),
    ("rds-instance-public", "rds_instance", {"publicly_accessible": False}, False),
    ("rds-instance-unencrypted", "rds_instance", {"storage_encrypted": False}, True),
    ("rds-instance-unencrypted", "rds_instance", {"storage_encrypted": True}, False),
    ("rds-instance-backups", "rds_instance", {"backup_retention_period": 0}, True),
    ("rds-instance-backups", "rds_instance", {"backup_retention_period": 3}, True),
    ("rds-instance-backups", "rds_instance", {"backup_retention_period": 7}, False),
    ("rds-instance-deletion-protection", "rds_instance", {"deletion_protection": False}, True),
    ("rds-instance-deletion-protection", "rds_instance", {"deletion_protection": True}, False),
    ("rds-instance-minor-upgrades", "rds_instance", {"auto_minor_version_upgrade": False}, True),
    ("rds-instance-minor-upgrades", "rds_instance", {"auto_minor_version_upgrade": True}, False),
    # KMS
    (
        "kms-key-rotation",
        "kms_key",
        {"manager": "CUSTOMER", "state": "Enabled", "spec": "SYMMETRIC_DEFAULT", "rotation_enabled": False},
        True,
    ),
    (
        "kms-key-rotation",
        "kms_key",
        {"manager": "CUSTOMER", "state": "Enabled", "spec": "RSA_2048", "rotation_enabled": False},
        False,
    ),
    ("kms-key-rotation", "kms_key", {"manager": "AWS", "state": "Enabled", "rotation_enabled": False}, False),
    (
        "kms-key-rotation",
        "kms_key",
        {"manager": "CUSTOMER", "state": "Enabled", "rotation_enabled": None},
        False,
    ),
    ("kms-key-pending-deletion", "kms_key", {"manager": "CUSTOMER", "state": "PendingDeletion"}, True),
    ("kms-key-pending-deletion", "kms_key", {"manager": "CUSTOMER", "state": "Enabled"}, False),
    ("kms-key-public-policy", "kms_key", {"policy": policy("*")}, True),
    (
        "kms-key-public-policy",
        "kms_key",
        {"policy": policy("*", {"StringEquals": {"kms:CallerAccount": "1"}})},
        False,
    ),
    # CloudTrail, Config
    ("cloudtrail-multi-region", "cloudtrail_account", {"trails": []}, True),
    (
        "cloudtrail-multi-region",
        "cloudtrail_account",
        {"trails": [{"name": "t", "multi_region": True}]},
        True,
    ),
    ("cloudtrail-multi-region", "cloudtrail_account", {"trails": [{"name": "t", "is_logging": True}]}, True),
    (
        "cloudtrail-multi-region",
        "cloudtrail_account",
        {"trails": [{"name": "t", "multi_region": True, "is_logging": True}]},
        False,
    ),
    ("cloudtrail-log-file-validation", "cloudtrail_trail", {"log_file_validation": False}, True),
    ("cloudtrail-log-file-validation", "cloudtrail_trail", {"log_file_validation": True}, False),
    ("cloudtrail-kms-encryption", "cloudtrail_trail", {"kms_key_id": None}, True),
    ("cloudtrail-kms-encryption", "cloudtrail_trail", {"kms_key_id": "arn:aws:kms:::key/1"}, False),
    ("cloudtrail-cloudwatch-logs", "cloudtrail_trail", {"cloudwatch_log_group_arn": None}, True),
    ("cloudtrail-cloudwatch-logs", "cloudtrail_trail", {"cloudwatch_log_group_arn": "arn:aws:logs:x"}, False),
    ("cloudtrail-bucket-access-logging", "cloudtrail_trail", {"bucket_access_logging": False}, True),
    ("cloudtrail-bucket-access-logging", "cloudtrail_trail", {"bucket_access_logging": None}, False),
    ("cloudtrail-bucket-access-logging", "cloudtrail_trail", {"bucket_access_logging": True}, False),
    ("config-recorder-enabled", "config_recorder", {"exists": False}, True),
    (
        "config-recorder-enabled",
        "config_recorder",
        {"exists": True, "recording": False, "all_supported": True, "delivery_channel": True},
        True,
    ),
    (
        "config-recorder-enabled",
        "config_recorder",
        {"exists": True, "recording": True, "all_supported": True, "delivery_channel": True},
        False,
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "type_", "attrs", "fails"), CASES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_rule_cases(rule_id: str, type_: AnyResourceType, attrs: dict[str, Any], fails: bool) -> None:
    rule = get_rule(rule_id)
    assert rule is not None and rule.resource_type == type_
    resource = res(type_, **attrs)
    assert rule.applies_to(resource) or not fails
    violation = rule.evaluate(resource) if rule.applies_to(resource) else None
    assert (violation is not None) is fails, violation
    if violation is not None:
        assert violation.detail.endswith(".")


def test_every_rule_has_cases_both_ways() -> None:
    from tests.tools.security.test_coverage_rules import NORMALISED_CASES

    covered = Counter((rule_id, fails) for rule_id, _, _, fails in [*CASES, *NORMALISED_CASES])
    generic = {"ebs-volume-unencrypted", "rds-instance-public", "iam-user-console-without-mfa"}
    for rule in all_rules():
        if rule.service == "cloudwatch" or rule.id in generic | {
            "s3-bucket-public",
            "ec2-sg-open-admin-ports",
        }:
            continue
        if rule.id == "ec2-sg-open-database-ports":
            continue
        assert covered[(rule.id, True)] and covered[(rule.id, False)], rule.id


def test_key_rules_name_the_key_to_deactivate() -> None:
    user = res("iam_user", access_keys=[KEY_NEW, KEY_IDLE])
    multiple = get_rule("iam-user-multiple-active-keys")
    unused = get_rule("iam-user-unused-credentials")
    assert multiple is not None and unused is not None
    # Never used counts as the least recently used.
    assert multiple.evaluate(user).remediation_params == {"access_key_id": KEY_IDLE["id"]}  # type: ignore[union-attr]
    assert unused.evaluate(user).remediation_params == {"access_key_id": KEY_IDLE["id"]}  # type: ignore[union-attr]
    old = get_rule("iam-user-access-key-not-rotated")
    assert old is not None
    v = old.evaluate(res("iam_user", access_keys=[KEY_NEW, KEY_OLD]))
    assert (
        v is not None
        and "(200 days)" in v.detail
        and v.remediation_params == {"access_key_id": KEY_OLD["id"]}
    )
    # Ages come from observed_at: the same key is new when observed at its creation.
    fresh = Resource(
        type="iam_user", id="u", name="u", region="global", attributes={"access_keys": [KEY_OLD]}
    )
    fresh.observed_at = parse_time(KEY_OLD["created"])
    assert old.evaluate(fresh) is None


MONITORS = [
    {
        "pattern": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
        '$.eventType != "AwsServiceEvent" }',
        "metric_name": "Root",
        "alarms": [{"name": "root", "actions": 1}],
    },
    {
        "pattern": '{($.errorCode="*UnauthorizedOperation")||($.errorCode="AccessDenied*")}',
        "metric_name": "Unauthorized",
        "alarms": [{"name": "unauth", "actions": 0}],
    },
]


@pytest.mark.parametrize(
    ("rule_id", "attrs", "expected"),
    [
        ("cloudwatch-alarm-root-usage", {"log_groups": ["us-east-1:t"], "monitors": MONITORS}, None),
        (
            "cloudwatch-alarm-unauthorized-api-calls",
            {"log_groups": ["us-east-1:t"], "monitors": MONITORS},
            "exists (Unauthorized) but no alarm acts on it",
        ),
        (
            "cloudwatch-alarm-iam-policy-changes",
            {"log_groups": ["us-east-1:t"], "monitors": MONITORS},
            "No metric filter",
        ),
        ("cloudwatch-alarm-root-usage", {"log_groups": [], "monitors": []}, "No logging multi-region trail"),
        ("cloudwatch-alarm-security-group-changes", {}, None),
    ],
)
def test_cloudwatch_alarm_rules(rule_id: str, attrs: dict[str, Any], expected: str | None) -> None:
    rule = get_rule(rule_id)
    assert rule is not None
    violation = rule.evaluate(res("cloudwatch_account", **attrs))
    if expected is None:
        assert violation is None
    else:
        assert violation is not None and expected in violation.detail


def test_rules_ignore_other_types_and_unknown_attributes() -> None:
    rds = PublicRdsInstance()
    assert not rds.applies_to(res("ebs_volume", publicly_accessible=True))
    # A resource parsed from infrastructure code carries only what the code says: rules that need
    # an attribute it lacks must stay silent rather than guess.
    silent = [
        r.id
        for r in all_rules()
        if r.id
        not in ("ebs-volume-unencrypted", "s3-bucket-secure-transport", "s3-bucket-public-access-block")
        and r.evaluate(res(r.resource_type)) is not None
    ]
    assert silent == []


def test_iam_ebs_rds_rules() -> None:
    mfa = ConsoleUserWithoutMfa()
    assert mfa.evaluate(res("iam_user", console_access=True, mfa_devices=0)) is not None
    ebs = UnencryptedVolume()
    v = ebs.evaluate(res("ebs_volume", encrypted=False, size_gb=200, attached_to=[]))
    assert v is not None and "200 GiB" in v.detail and "not attached" in v.detail
    assert ebs.evaluate(res("ebs_volume", encrypted=True)) is None


def test_engine_fingerprints_by_account_region_rule_resource() -> None:
    a = Resource(type="ebs_volume", id="vol-1", name="a", region="us-east-1", account="1", attributes={})
    b = a.model_copy(update={"account": "2"})
    rules: list[Rule] = [UnencryptedVolume()]
    fa, fb = evaluate([a], rules), evaluate([b], rules)
    assert len(fa) == len(fb) == 1 and fa[0].id != fb[0].id
    assert fa[0].remediation_action is None and fa[0].service == "ebs"
