"""The resource-kind table is the one place a type is described: the lookups derived from it agree."""

from __future__ import annotations

from typing import get_args

import pytest

from tools.inventory.kinds import (
    ALL_RESOURCE_TYPES,
    KINDS,
    OVERVIEW_TYPES,
    RESOURCE_TYPES,
    ResourceKind,
    kind,
    type_label,
    types_for_lookup,
)
from tools.inventory.resources import AnyResourceType, ResourceType, SettingsType


def test_inventory_types() -> None:
    # describe_resources lists these; without a type it shows the first six (its overview).
    assert (
        OVERVIEW_TYPES
        == RESOURCE_TYPES[:6]
        == (
            "ec2_instance",
            "security_group",
            "s3_bucket",
            "iam_user",
            "rds_instance",
            "ebs_volume",
        )
    )
    assert {"lambda_function", "vpc", "load_balancer", "subnet", "network_acl"} <= set(RESOURCE_TYPES)
    # Every type some rule reads has a row (and so a collector).
    from tools.security.rules import all_rules

    assert {r.resource_type for r in all_rules()} <= set(ALL_RESOURCE_TYPES)


def test_the_literals_name_the_rows_of_the_table() -> None:
    # Listed rows first, then the rest, so the Literals read in the table's order.
    assert get_args(ResourceType) == RESOURCE_TYPES
    assert (*get_args(ResourceType), *get_args(SettingsType)) == ALL_RESOURCE_TYPES
    assert get_args(AnyResourceType) == (ResourceType, SettingsType)
    assert len(ALL_RESOURCE_TYPES) == len(KINDS), "one row per type"


@pytest.mark.parametrize("row", KINDS, ids=lambda k: k.name)
def test_every_row_says_how_to_read_and_name_its_type(row: ResourceKind) -> None:
    k = kind(row.name)
    assert k is row
    assert k.service and k.client and k.singular and k.plural
    assert k.permissions and all(":" in p for p in k.permissions)
    assert callable(k.fetch)
    assert k.is_global == (k.scope == "global")


def test_an_id_prefix_names_one_type() -> None:
    prefixes = [p for k in KINDS for p in k.id_prefixes]
    assert len(prefixes) == len(set(prefixes))


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        ("i-0123", ["ec2_instance"]),
        ("sg-0123", ["security_group"]),
        ("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123", ["security_group"]),
        ("arn:aws:ec2:us-east-1:123456789012:instance/i-0123", ["ec2_instance"]),
        ("arn:aws:iam::123456789012:root", ["iam_root_user"]),
        ("arn:aws:iam::123456789012:policy/admin", ["iam_policy"]),
        ("arn:aws:iam::123456789012:user/alice", ["iam_user"]),
        ("snap-0123", ["ebs_snapshot"]),
        ("subnet-0123", ["subnet"]),
        ("acl-0123", ["network_acl"]),
        ("arn:aws:iam::123456789012:role/ops", ["iam_role"]),
        ("arn:aws:rds:us-east-1:123456789012:snapshot:nightly", ["rds_snapshot"]),
        ("arn:aws:rds:us-east-1:123456789012:db:orders", ["rds_instance"]),
        ("arn:aws:lambda:us-east-1:123456789012:function:f", ["lambda_function"]),
        ("acme-logs", list(ALL_RESOURCE_TYPES)),
        (None, list(ALL_RESOURCE_TYPES)),
    ],
)
def test_lookups_narrow_to_the_type_their_id_implies(lookup: str | None, expected: list[str]) -> None:
    assert types_for_lookup(lookup, list(ALL_RESOURCE_TYPES)) == expected


def test_labels_and_scopes() -> None:
    assert type_label("security_group") == "security group"
    assert type_label("iam_policy", 2) == "IAM policies"
    assert kind("s3_bucket").is_global and not kind("ebs_volume").is_global
    # The service a finding is filed under is not always the API that reads it.
    assert (kind("cloudwatch_account").service, kind("cloudwatch_account").client) == (
        "cloudwatch",
        "cloudtrail",
    )
