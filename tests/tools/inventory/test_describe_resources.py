"""describe_resources across accounts: with member accounts configured (aws.assume_role_arns) the
listing reads each account through its role and shows an Account column; with one account it
does not. Also the types issue #18 added, asked for in words. Against moto (its accounts are
separate: a role ARN's account id is the account the assumed credentials act in)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from agent.messages import ChatMessage, Reply
from agent.runtime import Runtime
from agent.turn import Agent
from config import Settings, load_settings
from sandbox.manifest import DEV_ACCOUNT, DEV_AUDIT_ROLE
from store import Store
from tests.conftest import REGIONS
from tools.base import ToolContext
from tools.inventory.aws import AwsClients
from tools.inventory.describe_resources import DescribeResources

OWN_ACCOUNT = "123456789012"  # moto's default account
R = "eu-west-1"


def settings_for(tmp_path: Path, endpoint: str, roles: list[str]) -> Settings:
    return load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15",
        aws={"mode": "sandbox", "endpoint_url": endpoint, "regions": REGIONS, "assume_role_arns": roles},
    )


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def plant(aws: AwsClients, prefix: str) -> None:
    """One VPC (two subnets), an ALB, a Lambda function and a DynamoDB table named after `prefix`."""
    ec2 = aws.client("ec2", R)
    vpc = ec2.create_vpc(
        CidrBlock="10.40.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": f"{prefix}-vpc"}]}],
    )["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=f"{R}{z}")["Subnet"][
            "SubnetId"
        ]
        for i, z in enumerate("ab")
    ]
    aws.client("elbv2", R).create_load_balancer(Name=f"{prefix}-alb", Subnets=subnets, Type="application")
    iam = aws.client("iam", R)
    role = iam.create_role(
        RoleName=f"{prefix}-fn-role",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    )["Role"]["Arn"]
    aws.client("lambda", R).create_function(
        FunctionName=f"{prefix}-fn",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": _zip()},
    )
    aws.client("dynamodb", R).create_table(
        TableName=f"{prefix}-orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture
def two_accounts(fresh_moto: str, tmp_path: Path) -> Iterator[ToolContext]:
    settings = settings_for(tmp_path, fresh_moto, [DEV_AUDIT_ROLE])
    aws = AwsClients(settings.aws)
    plant(aws, "prod")
    plant(aws.as_role(DEV_AUDIT_ROLE), "dev")
    store = Store(settings.sqlalchemy_url)
    yield ToolContext(settings=settings, clock=settings.clock(), aws=aws, store=store)
    store.close()


@pytest.mark.parametrize(
    ("resource_type", "names"),
    [
        ("vpc", {"prod-vpc", "dev-vpc"}),
        ("load_balancer", {"prod-alb", "dev-alb"}),
        ("lambda_function", {"prod-fn", "dev-fn"}),
        ("dynamodb_table", {"prod-orders", "dev-orders"}),
    ],
)
def test_member_accounts_are_listed_with_an_account_column(
    two_accounts: ToolContext, resource_type: str, names: set[str]
) -> None:
    tool = DescribeResources()
    result = tool.run(two_accounts, tool.parse({"resource_type": resource_type, "region": R}))
    assert result.errors == []
    table = result.tables[0]
    assert table.columns[:4] == ["Name", "ID", "Account", "Region"]
    rows = {(row[0], row[2]) for row in table.rows}
    prod, dev = sorted(names, key=lambda n: not n.startswith("prod"))
    assert {(prod, OWN_ACCOUNT), (dev, DEV_ACCOUNT)} <= rows
    assert {r.account for r in result.resources} == {OWN_ACCOUNT, DEV_ACCOUNT}
    assert "across 2 accounts" in result.message


def test_one_account_has_no_account_column(fresh_moto: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, fresh_moto, [])
    aws = AwsClients(settings.aws)
    plant(aws, "solo")
    store = Store(settings.sqlalchemy_url)
    ctx = ToolContext(settings=settings, clock=settings.clock(), aws=aws, store=store)
    tool = DescribeResources()
    result = tool.run(ctx, tool.parse({"resource_type": "dynamodb_table"}))
    store.close()
    assert result.tables[0].columns[:3] == ["Name", "ID", "Region"]
    assert [row[0] for row in result.tables[0].rows] == ["solo-orders"]
    assert "accounts" not in result.message


def test_a_member_account_the_access_policy_hides_is_not_read(two_accounts: ToolContext) -> None:
    ctx = replace(two_accounts, allowed_accounts=frozenset({OWN_ACCOUNT}))
    tool = DescribeResources()
    result = tool.run(ctx, tool.parse({"resource_type": "vpc", "region": R}))
    assert {r.account for r in result.resources} == {OWN_ACCOUNT}
    assert "Account" not in result.tables[0].columns


@pytest.fixture
def agent(fresh_moto: str, tmp_path: Path) -> Iterator[Agent]:
    settings = settings_for(tmp_path, fresh_moto, [DEV_AUDIT_ROLE])
    rt = Runtime.build(settings)
    plant(rt.ctx.aws, "prod")
    plant(rt.ctx.aws.as_role(DEV_AUDIT_ROLE), "dev")
    yield Agent(rt)
    rt.close()


@pytest.mark.parametrize(
    ("text", "resource_type", "names"),
    [
        ("list VPCs in eu-west-1", "vpc", ["prod-vpc", "dev-vpc"]),
        ("list load balancers", "load_balancer", ["prod-alb", "dev-alb"]),
        ("list lambda functions", "lambda_function", ["prod-fn", "dev-fn"]),
    ],
)
def test_asked_in_words_across_accounts(
    agent: Agent, text: str, resource_type: str, names: list[str]
) -> None:
    reply: Reply = agent.handle(ChatMessage(user="alice", channel="cli", thread="inv", text=text))
    assert [(c.name, c.args.get("resource_type")) for c in reply.tool_calls] == [
        ("describe_resources", resource_type)
    ]
    assert reply.ok, reply.text
    table = reply.tables[0]
    assert "Account" in table.columns
    account = table.columns.index("Account")
    listed = {(row[0], row[account]) for row in table.rows}
    assert {(names[0], OWN_ACCOUNT), (names[1], DEV_ACCOUNT)} <= listed
