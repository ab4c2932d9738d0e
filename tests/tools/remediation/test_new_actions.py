"""The issue #18 actions beyond plan / apply / verify / repeat (test_remediation_actions.py): the
already-compliant case, what each refuses to do, findings that offer them, and the approval a
direct request waits for. Against moto."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.messages import ChatMessage, Reply
from agent.runtime import Runtime
from agent.turn import Agent
from config import load_settings
from store import Store
from tests.conftest import REGIONS, make_settings, reset_moto
from tests.tools.remediation.test_remediation_actions import (
    R,
    _detectors,
    _http_listener,
    _maps_public_ip,
    _pitr,
    _scan_on_push,
    associate,
    ec2,
    inbound_entries,
    nacl_entry,
    new_alb,
    new_repository,
    new_table,
    new_vpc,
    open_nacl,
    public_subnet,
)
from tools.base import ChangePlan, ToolContext, UserFacingError
from tools.inventory.aws import AwsClients
from tools.remediation.actions.remove_nacl_entry import flagged_entries
from tools.remediation.remediate import Remediate
from tools.security.security_scan import SecurityScan, SecurityScanInput


@pytest.fixture(scope="module")
def ctx(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolContext]:
    reset_moto(moto_endpoint)
    settings = make_settings(tmp_path_factory.mktemp("new-actions"), moto_endpoint)
    store = Store(settings.sqlalchemy_url)
    yield ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)
    store.close()


def plan(ctx: ToolContext, action: str, resource_id: str, **extra: Any) -> ChangePlan:
    tool = Remediate()
    return tool.plan(ctx, tool.parse({"action": action, "resource_id": resource_id, **extra}))


def private_nacl(ctx: ToolContext) -> str:
    vpc, _ = new_vpc(ctx)
    acl = str(ec2(ctx).create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"])
    nacl_entry(ctx, acl, 100, "10.0.0.0/8", (22, 22))
    nacl_entry(ctx, acl, 200, "0.0.0.0/0", (443, 443))
    return acl


def compliant(ctx: ToolContext, action: str) -> tuple[str, dict[str, Any]]:
    """A resource the action's rule already passes on."""
    if action == "remove_nacl_entry":
        return private_nacl(ctx), {}
    if action == "redirect_http_to_https":
        name, listener = new_alb(ctx)
        elb = ctx.aws.client("elbv2", R)
        elb.modify_listener(
            ListenerArn=listener,
            DefaultActions=[
                {
                    "Type": "redirect",
                    "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_302"},
                }
            ],
        )
        return name, {}
    if action == "enable_pitr":
        table = new_table(ctx)
        ctx.aws.client("dynamodb", R).update_continuous_backups(
            TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        return table, {}
    if action == "enable_scan_on_push":
        repo = new_repository(ctx)
        ctx.aws.client("ecr", R).put_image_scanning_configuration(
            repositoryName=repo, imageScanningConfiguration={"scanOnPush": True}
        )
        return repo, {}
    if action == "enable_guardduty":
        ctx.aws.client("guardduty", "us-east-1").create_detector(Enable=True)
        return "guardduty", {"region": "us-east-1"}
    assert action == "disable_auto_public_ip"
    _, subnets = new_vpc(ctx)
    return subnets[0], {}


NEW_ACTIONS = [
    "remove_nacl_entry",
    "redirect_http_to_https",
    "enable_pitr",
    "enable_scan_on_push",
    "enable_guardduty",
    "disable_auto_public_ip",
]


@pytest.mark.parametrize("action", NEW_ACTIONS)
def test_already_compliant_plans_nothing(ctx: ToolContext, action: str) -> None:
    resource_id, extra = compliant(ctx, action)
    done = plan(ctx, action, resource_id, **extra)
    assert not done.applicable and done.changes == []
    assert done.summary.startswith("Nothing to change"), done.summary
    assert done.details["finding"] is None
    # Applying a plan with nothing to do changes nothing and verifies.
    tool = Remediate()
    result = tool.apply(
        ctx, tool.parse({"action": action, "resource_id": resource_id, **extra}), done, idempotency_key="x"
    )
    assert not result.applied and result.verification is not None and result.verification.ok


def test_nacl_removal_records_the_entries_and_keeps_the_rest(ctx: ToolContext) -> None:
    acl, _ = open_nacl(ctx)
    p = plan(ctx, "remove_nacl_entry", acl)
    assert p.changes == [
        f"remove inbound entry 100 (tcp 22 from 0.0.0.0/0) from network ACL {acl}",
        f"remove inbound entry 110 (all traffic from ::/0) from network ACL {acl}",
    ]
    before = {e["rule_number"]: e for e in p.details["before"]["ingress"]}
    assert before[100] == {
        "rule_number": 100,
        "action": "allow",
        "protocol": "6",
        "from_port": 22,
        "to_port": 22,
        "cidr": "0.0.0.0/0",
    }
    assert "re-created" in p.summary and "stateless" in p.summary
    # One entry by number, as a finding's parameters name it.
    one = plan(ctx, "remove_nacl_entry", acl, params={"rule_number": 110})
    assert one.changes == [f"remove inbound entry 110 (all traffic from ::/0) from network ACL {acl}"]
    assert 110 in inbound_entries(ctx, acl)


def test_nacl_removal_refuses_what_would_cut_subnets_off(ctx: ToolContext) -> None:
    vpc, subnets = new_vpc(ctx)
    acl = str(ec2(ctx).create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"])
    nacl_entry(ctx, acl, 100, "0.0.0.0/0", None)
    associate(ctx, acl, subnets[0])
    cut = plan(ctx, "remove_nacl_entry", acl)
    assert not cut.applicable and "no inbound allow entry" in cut.summary and subnets[0] in cut.summary
    # Not the internet: nothing for this action to remove.
    private = private_nacl(ctx)
    wrong = plan(ctx, "remove_nacl_entry", private, params={"rule_number": 100})
    assert not wrong.applicable and "does not admit the internet" in wrong.summary
    gone = plan(ctx, "remove_nacl_entry", private, params={"rule_number": 150})
    assert not gone.applicable and gone.summary.startswith("Nothing to change")
    with pytest.raises(UserFacingError, match="Invalid params for remove_nacl_entry"):
        plan(ctx, "remove_nacl_entry", private, params={"rule_number": 40000})
    with pytest.raises(UserFacingError, match="No network ACL 'acl-0000000000000000f'"):
        plan(ctx, "remove_nacl_entry", "acl-0000000000000000f", region=R)


def test_flagged_entries_follow_the_rule_order() -> None:
    def entry(
        n: int, action: str, cidr: str, protocol: str = "-1", port: int | None = None
    ) -> dict[str, Any]:
        return {
            "rule_number": n,
            "action": action,
            "protocol": protocol,
            "from_port": port,
            "to_port": port,
            "cidr": cidr,
        }

    # A lower-numbered deny shadows the allow: nothing to remove.
    assert flagged_entries([entry(50, "deny", "0.0.0.0/0"), entry(100, "allow", "0.0.0.0/0")]) == []
    # Removing the allow-all brings the SSH entry behind it forward: both go.
    both = flagged_entries([entry(100, "allow", "0.0.0.0/0"), entry(200, "allow", "0.0.0.0/0", "6", 22)])
    assert [e["rule_number"] for e in both] == [100, 200]
    assert flagged_entries([entry(100, "allow", "0.0.0.0/0", "6", 443)]) == []


def test_redirect_needs_an_https_listener(ctx: ToolContext) -> None:
    name, listener = new_alb(ctx, https=False)
    before = _http_listener(ctx, name)
    blocked = plan(ctx, "redirect_http_to_https", name)
    assert not blocked.applicable and "no HTTPS listener" in blocked.summary
    assert _http_listener(ctx, name) == before
    named = plan(ctx, "redirect_http_to_https", name, params={"listener_arn": "arn:aws:nope"})
    assert not named.applicable and "has no listener arn:aws:nope" in named.summary

    ok_name, http = new_alb(ctx)
    p = plan(ctx, "redirect_http_to_https", ok_name, params={"listener_arn": http})
    assert p.applicable and p.changes == [
        f"redirect HTTP listener on port 80 of load balancer {ok_name} to HTTPS port 443 (HTTP 301)"
    ]
    # The previous default action is in the plan, to restore it.
    kept = {li["protocol"]: li["default_actions"] for li in p.details["before"]["listeners"]}
    assert kept["HTTP"][0]["Type"] == "forward"


def test_guardduty_suspended_detector_is_re_enabled(moto_endpoint: str, ctx: ToolContext) -> None:
    region = "us-east-1"
    gd = ctx.aws.client("guardduty", region)
    for detector in gd.list_detectors()["DetectorIds"]:
        gd.delete_detector(DetectorId=detector)
    detector = gd.create_detector(Enable=False)["DetectorId"]
    tool = Remediate()
    a = tool.parse({"action": "enable_guardduty", "resource_id": "guardduty", "region": region})
    p = tool.plan(ctx, a)
    assert p.changes == [f"re-enable GuardDuty detector {detector} in {region}"]
    assert "guardduty-enabled" not in p.summary and "suspended" in p.details["finding"]
    result = tool.apply(ctx, a, p, idempotency_key="gd")
    assert result.verification is not None and result.verification.ok
    assert _detectors(ctx, region) == ["ENABLED"]  # re-enabled, not a second detector
    with pytest.raises(UserFacingError, match="matches 2"):
        tool.plan(ctx, tool.parse({"action": "enable_guardduty", "resource_id": "guardduty"}))


def test_findings_offer_the_new_actions(ctx: ToolContext) -> None:
    """A scan's findings name the action and its parameters, and remediate plans from them."""
    acl, _ = open_nacl(ctx)
    alb, _ = new_alb(ctx)
    table, repo = new_table(ctx), new_repository(ctx)
    subnet, _ = public_subnet(ctx)
    scan = SecurityScan().run(ctx, SecurityScanInput(services=["ec2", "elb", "dynamodb", "ecr", "guardduty"]))
    wanted = {
        ("ec2-nacl-open-all-ports", acl): "remove_nacl_entry",
        ("ec2-nacl-open-admin-ports", acl): "remove_nacl_entry",
        ("elb-http-listener-without-redirect", alb): "redirect_http_to_https",
        ("dynamodb-table-pitr", table): "enable_pitr",
        ("ecr-repository-scan-on-push", repo): "enable_scan_on_push",
        ("ec2-subnet-auto-public-ip", subnet): "disable_auto_public_ip",
    }
    found = {(f.rule_id, f.resource_id): f for f in scan.findings if (f.rule_id, f.resource_id) in wanted}
    assert {k: f.remediation_action for k, f in found.items()} == wanted
    assert found[("ec2-nacl-open-all-ports", acl)].remediation_params == {"rule_number": 110}
    assert "listener_arn" in found[("elb-http-listener-without-redirect", alb)].remediation_params
    tool = Remediate()
    for f in found.values():
        assert f.remediation_action is not None
        p = tool.plan(
            ctx,
            tool.parse(
                {
                    "action": f.remediation_action,
                    "resource_id": f.resource_id,
                    "region": f.region,
                    "params": f.remediation_params,
                }
            ),
        )
        assert p.applicable and p.changes, (f.rule_id, p.summary)
    # GuardDuty is off in eu-west-1 of this account (the other tests used us-east-1).
    guard = [f for f in scan.findings if f.rule_id == "guardduty-enabled" and f.region == R]
    assert [f.remediation_action for f in guard] == ["enable_guardduty"]
    assert inbound_entries(ctx, acl) == [100, 110, 200]  # scanning and planning changed nothing
    assert _pitr(ctx, table) == "DISABLED" and _scan_on_push(ctx, repo) is False
    assert _maps_public_ip(ctx, subnet) is True


# --------------------------------------------------------------------------- through the agent


@pytest.fixture
def agent(fresh_moto: str, tmp_path: Path) -> Iterator[Agent]:
    settings = load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15T09:00:00",
        aws={"mode": "sandbox", "endpoint_url": fresh_moto, "regions": REGIONS},
        approvals={"rules": [{"actions": ["*"], "users": ["bob"]}]},
    )
    rt = Runtime.build(settings)
    yield Agent(rt)
    rt.close()


def say(agent: Agent, text: str) -> Reply:
    return agent.handle(ChatMessage(user="alice", channel="cli", thread="new-actions", text=text))


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("enable PITR on table {table}", "enable_pitr"),
        ("turn on scan on push for repo {repo}", "enable_scan_on_push"),
    ],
)
def test_a_direct_request_waits_for_approval(agent: Agent, text: str, action: str) -> None:
    ctx = agent.rt.ctx
    table, repo = new_table(ctx), new_repository(ctx)
    reply = say(agent, text.format(table=table, repo=repo))
    assert [(c.name, c.args["action"]) for c in reply.tool_calls] == [("remediate", action)]
    assert reply.approval is not None and reply.approval.plan["applicable"]
    assert _pitr(ctx, table) == "DISABLED" and _scan_on_push(ctx, repo) is False  # nothing yet

    refused = agent.decide(reply.approval.id, "alice", approve=True)
    assert not refused.ok  # four eyes: not the requester
    done = agent.decide(reply.approval.id, "bob", approve=True)
    assert done.ok, done.text
    if action == "enable_pitr":
        assert _pitr(ctx, table) == "ENABLED" and "dynamodb-table-pitr now passes" in done.text
    else:
        assert _scan_on_push(ctx, repo) is True and "ecr-repository-scan-on-push now passes" in done.text
