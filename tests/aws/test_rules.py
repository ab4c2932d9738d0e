"""Rules judge normalised resources only, so they are checked here without any AWS at all."""

from __future__ import annotations

from typing import Any

import pytest

from tools.security.resources import RESOURCE_TYPES, Resource, ResourceType
from tools.security.rule import CIS_AWS, PCI_DSS
from tools.security.rules import RULE_CLASSES, all_rules, get_rule, rules_for
from tools.security.rules.ebs.unencrypted_volume import UnencryptedVolume
from tools.security.rules.ec2.open_admin_ports import OpenAdminPorts
from tools.security.rules.iam.console_user_without_mfa import ConsoleUserWithoutMfa
from tools.security.rules.rds.public_instance import PublicRdsInstance
from tools.security.rules.s3.public_bucket import PublicS3Bucket

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


def res(type_: ResourceType, **attributes: Any) -> Resource:
    return Resource(type=type_, id="r-1", name="thing", region="us-east-1", attributes=attributes)


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


def test_rule_metadata_is_complete() -> None:
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids)) == len(RULE_CLASSES) == 5
    for rule in all_rules():
        assert rule.title and rule.description and rule.remediation
        assert rule.resource_type in RESOURCE_TYPES
        assert rule.compliance[CIS_AWS] and rule.compliance[PCI_DSS]
        assert get_rule(rule.id) is not None
    assert get_rule("nope") is None
    assert [r.id for r in rules_for(["s3"])] == ["s3-bucket-public"]
    assert len(rules_for([])) == 5


@pytest.mark.parametrize(
    ("attrs", "public"),
    [
        ({"acl_grants": PUBLIC_READ, "public_access_block": NO_BLOCK}, True),
        ({"acl_grants": PUBLIC_READ, "public_access_block": FULL_BLOCK}, False),
        ({"acl_grants": PUBLIC_READ, "public_access_block": {**NO_BLOCK, "ignore_public_acls": True}}, False),
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
        ({"policy": policy({"AWS": "arn:aws:iam::111122223333:root"})}, False),
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


def test_iam_ebs_rds_rules() -> None:
    mfa = ConsoleUserWithoutMfa()
    assert mfa.evaluate(res("iam_user", console_access=True, mfa_devices=0)) is not None
    assert mfa.evaluate(res("iam_user", console_access=True, mfa_devices=1)) is None
    assert mfa.evaluate(res("iam_user", console_access=False, mfa_devices=0)) is None
    ebs = UnencryptedVolume()
    v = ebs.evaluate(res("ebs_volume", encrypted=False, size_gb=200, attached_to=[]))
    assert v is not None and "200 GiB" in v.detail and "not attached" in v.detail
    assert ebs.evaluate(res("ebs_volume", encrypted=True)) is None
    rds = PublicRdsInstance()
    assert rds.evaluate(res("rds_instance", publicly_accessible=True, engine="postgres")) is not None
    assert rds.evaluate(res("rds_instance", publicly_accessible=False)) is None
    # A rule ignores resources of other types.
    assert not rds.applies_to(res("ebs_volume", publicly_accessible=True))
