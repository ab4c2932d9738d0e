"""Every remediation action: the dry run changes nothing, apply changes exactly the plan, verify
re-reads the resource (and re-runs its rule), and a repeat changes nothing. Against moto."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from store import Store
from tests.conftest import make_settings, reset_moto
from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.inventory.aws import AwsClients
from tools.remediation.actions.delete_volume import SOURCE_TAG
from tools.remediation.registry import ACTIONS
from tools.remediation.remediate import Remediate, RemediateInput

R = "eu-west-1"
_names = itertools.count(1)


@pytest.fixture(scope="module")
def ctx(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolContext]:
    """One clean account for the module: every test plants its own, uniquely named resources."""
    reset_moto(moto_endpoint)
    settings = make_settings(tmp_path_factory.mktemp("actions"), moto_endpoint)
    store = Store(settings.sqlalchemy_url)
    yield ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)
    store.close()


def ec2(ctx: ToolContext) -> Any:
    return ctx.aws.client("ec2", R)


def new_volume(ctx: ToolContext, vtype: str = "gp2") -> str:
    return str(
        ec2(ctx).create_volume(
            AvailabilityZone=f"{R}a",
            Size=20,
            VolumeType=vtype,
            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "scratch"}]}],
        )["VolumeId"]
    )


def new_instance(ctx: ToolContext, tokens: str = "optional") -> str:
    return str(
        ec2(ctx).run_instances(
            ImageId="ami-0c1a7f89451184c8b", MinCount=1, MaxCount=1, MetadataOptions={"HttpTokens": tokens}
        )["Instances"][0]["InstanceId"]
    )


def new_bucket(ctx: ToolContext) -> str:
    name = f"acme-plain-{next(_names)}"
    ctx.aws.client("s3", R).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": R})
    return name


def new_vpc(ctx: ToolContext) -> tuple[str, list[str]]:
    """A VPC with two subnets (in two zones, as a load balancer needs)."""
    n = next(_names) % 200
    vpc = str(ec2(ctx).create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"])
    subnets = [
        str(
            ec2(ctx).create_subnet(VpcId=vpc, CidrBlock=f"10.{n}.{i}.0/24", AvailabilityZone=f"{R}{zone}")[
                "Subnet"
            ]["SubnetId"]
        )
        for i, zone in enumerate("ab")
    ]
    return vpc, subnets


def nacl_entry(ctx: ToolContext, acl: str, number: int, cidr: str, ports: tuple[int, int] | None) -> None:
    entry: dict[str, Any] = {
        "NetworkAclId": acl,
        "RuleNumber": number,
        "RuleAction": "allow",
        "Egress": False,
    }
    entry |= {"Ipv6CidrBlock": cidr} if ":" in cidr else {"CidrBlock": cidr}
    if ports is None:
        entry["Protocol"] = "-1"
    else:
        entry |= {"Protocol": "6", "PortRange": {"From": ports[0], "To": ports[1]}}
    ec2(ctx).create_network_acl_entry(**entry)


def open_nacl(ctx: ToolContext) -> tuple[str, dict[str, Any]]:
    """A subnet's ACL that admits SSH from 0.0.0.0/0 and everything from ::/0, and HTTPS (kept)."""
    vpc, subnets = new_vpc(ctx)
    acl = str(ec2(ctx).create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"])
    nacl_entry(ctx, acl, 100, "0.0.0.0/0", (22, 22))
    nacl_entry(ctx, acl, 110, "::/0", None)
    nacl_entry(ctx, acl, 200, "0.0.0.0/0", (443, 443))
    associate(ctx, acl, subnets[0])
    return acl, {}


def associate(ctx: ToolContext, acl: str, subnet: str) -> None:
    current = ec2(ctx).describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
    association = next(
        a["NetworkAclAssociationId"]
        for n in current["NetworkAcls"]
        for a in n["Associations"]
        if a["SubnetId"] == subnet
    )
    ec2(ctx).replace_network_acl_association(AssociationId=association, NetworkAclId=acl)


def inbound_entries(ctx: ToolContext, acl: str) -> Any:
    found = ec2(ctx).describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"]
    return sorted(e["RuleNumber"] for e in found if not e["Egress"])


def new_alb(ctx: ToolContext, https: bool = True) -> tuple[str, str]:
    """An ALB whose HTTP listener forwards (and, with `https`, an HTTPS listener): (name, HTTP listener)."""
    vpc, subnets = new_vpc(ctx)
    elb = ctx.aws.client("elbv2", R)
    name = f"web-{next(_names)}"
    lb = elb.create_load_balancer(Name=name, Subnets=subnets, Type="application")["LoadBalancers"][0]
    tg = elb.create_target_group(Name=f"tg-{name}", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]
    forward = [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}]
    http = elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=forward
    )["Listeners"][0]["ListenerArn"]
    if https:
        cert = ctx.aws.client("acm", R).request_certificate(DomainName=f"{name}.example.com")
        elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="HTTPS",
            Port=443,
            Certificates=[{"CertificateArn": cert["CertificateArn"]}],
            DefaultActions=forward,
        )
    return name, str(http)


def _http_listener(ctx: ToolContext, name: str) -> Any:
    elb = ctx.aws.client("elbv2", R)
    arn = elb.describe_load_balancers(Names=[name])["LoadBalancers"][0]["LoadBalancerArn"]
    return [
        li["DefaultActions"]
        for li in elb.describe_listeners(LoadBalancerArn=arn)["Listeners"]
        if li["Protocol"] == "HTTP"
    ]


def new_table(ctx: ToolContext) -> str:
    name = f"orders-{next(_names)}"
    ctx.aws.client("dynamodb", R).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def _pitr(ctx: ToolContext, table: str) -> Any:
    backups = ctx.aws.client("dynamodb", R).describe_continuous_backups(TableName=table)
    return backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "PointInTimeRecoveryStatus"
    ]


def new_repository(ctx: ToolContext) -> str:
    name = f"app-{next(_names)}"
    ctx.aws.client("ecr", R).create_repository(repositoryName=name)
    return name


def _scan_on_push(ctx: ToolContext, repo: str) -> Any:
    found = ctx.aws.client("ecr", R).describe_repositories(repositoryNames=[repo])["repositories"][0]
    return found["imageScanningConfiguration"]["scanOnPush"]


def _detectors(ctx: ToolContext, region: str = R) -> Any:
    gd = ctx.aws.client("guardduty", region)
    return [gd.get_detector(DetectorId=d)["Status"] for d in gd.list_detectors()["DetectorIds"]]


def public_subnet(ctx: ToolContext) -> tuple[str, dict[str, Any]]:
    _, subnets = new_vpc(ctx)
    ec2(ctx).modify_subnet_attribute(SubnetId=subnets[0], MapPublicIpOnLaunch={"Value": True})
    return subnets[0], {}


def _maps_public_ip(ctx: ToolContext, subnet: str) -> Any:
    return ec2(ctx).describe_subnets(SubnetIds=[subnet])["Subnets"][0]["MapPublicIpOnLaunch"]


@dataclass
class Case:
    """How to plant what an action fixes, and how to read the state it changes."""

    action: str
    plant: Callable[[ToolContext], tuple[str, dict[str, Any]]]  # -> (resource_id, params)
    state: Callable[[ToolContext, str], Any]
    rule_check: str | None  # what verify says about the rule afterwards
    region: str | None = None


def _bucket_encryption(ctx: ToolContext, bucket: str) -> Any:
    s3 = ctx.aws.client("s3", R)
    try:
        return s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except s3.exceptions.ClientError:
        return None


def _key(ctx: ToolContext) -> tuple[str, dict[str, Any]]:
    return str(ctx.aws.client("kms", R).create_key()["KeyMetadata"]["KeyId"]), {}


def _public_db(ctx: ToolContext) -> tuple[str, dict[str, Any]]:
    name = f"open-db-{next(_names)}"
    ctx.aws.client("rds", R).create_db_instance(
        DBInstanceIdentifier=name,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin1",
        MasterUserPassword="sandbox-Pa55word",
        PubliclyAccessible=True,
    )
    return name, {}


def _user_with_two_keys(ctx: ToolContext) -> tuple[str, dict[str, Any]]:
    iam = ctx.aws.client("iam", R)
    name = f"svc-old-{next(_names)}"
    iam.create_user(UserName=name)
    first = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    iam.create_access_key(UserName=name)
    return name, {"access_key_id": first}


def _key_statuses(ctx: ToolContext, user: str) -> Any:
    keys = ctx.aws.client("iam", R).list_access_keys(UserName=user)["AccessKeyMetadata"]
    return sorted((k["AccessKeyId"], k["Status"]) for k in keys)


def _trail(ctx: ToolContext) -> tuple[str, dict[str, Any]]:
    bucket = new_bucket(ctx)
    ctx.aws.client("cloudtrail", R).create_trail(Name="eu-trail", S3BucketName=bucket)
    return "eu-trail", {}


def _public_snapshot(ctx: ToolContext) -> tuple[str, dict[str, Any]]:
    snap = ec2(ctx).create_snapshot(VolumeId=new_volume(ctx))["SnapshotId"]
    ec2(ctx).modify_snapshot_attribute(
        SnapshotId=snap, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
    )
    return str(snap), {}


def _snapshot_permissions(ctx: ToolContext, snap: str) -> Any:
    return ec2(ctx).describe_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission")[
        "CreateVolumePermissions"
    ]


def _snapshot_exists(ctx: ToolContext, snap: str) -> bool:
    return bool(ec2(ctx).describe_snapshots(Filters=[{"Name": "snapshot-id", "Values": [snap]}])["Snapshots"])


def _volume(ctx: ToolContext, vol: str) -> Any:
    found = ec2(ctx).describe_volumes(Filters=[{"Name": "volume-id", "Values": [vol]}])["Volumes"]
    return found[0]["VolumeType"] if found else None


def _instance(ctx: ToolContext, inst: str) -> Any:
    i = ec2(ctx).describe_instances(InstanceIds=[inst])["Reservations"][0]["Instances"][0]
    return i["State"]["Name"], i["MetadataOptions"]["HttpTokens"]


CASES = [
    Case(
        "enable_bucket_encryption",
        lambda ctx: (new_bucket(ctx), {}),
        _bucket_encryption,
        "s3-bucket-encryption now passes",
    ),
    Case(
        "enable_bucket_versioning",
        lambda ctx: (new_bucket(ctx), {}),
        lambda ctx, b: ctx.aws.client("s3", R).get_bucket_versioning(Bucket=b).get("Status"),
        "s3-bucket-versioning now passes",
    ),
    Case(
        "enable_key_rotation",
        _key,
        lambda ctx, k: ctx.aws.client("kms", R).get_key_rotation_status(KeyId=k)["KeyRotationEnabled"],
        "kms-key-rotation now passes",
    ),
    Case(
        "disable_public_access",
        _public_db,
        lambda ctx, d: ctx.aws.client("rds", R).describe_db_instances(DBInstanceIdentifier=d)["DBInstances"][
            0
        ]["PubliclyAccessible"],
        "rds-instance-public now passes",
    ),
    Case("stop_instance", lambda ctx: (new_instance(ctx), {}), _instance, None),
    Case("require_imdsv2", lambda ctx: (new_instance(ctx), {}), _instance, "ec2-instance-imdsv2 now passes"),
    Case(
        "deactivate_access_key",
        _user_with_two_keys,
        _key_statuses,
        "iam-user-multiple-active-keys now passes",
    ),
    Case(
        "enable_ebs_default_encryption",
        lambda ctx: ("ebs-encryption-by-default", {}),
        lambda ctx, _: ec2(ctx).get_ebs_encryption_by_default()["EbsEncryptionByDefault"],
        "ebs-default-encryption-off now passes",
        region=R,
    ),
    Case(
        "enable_log_file_validation",
        _trail,
        lambda ctx, t: ctx.aws.client("cloudtrail", R).describe_trails(trailNameList=[t])["trailList"][0][
            "LogFileValidationEnabled"
        ],
        "cloudtrail-log-file-validation now passes",
    ),
    Case("make_snapshot_private", _public_snapshot, _snapshot_permissions, "ebs-snapshot-public now passes"),
    Case(
        "modify_volume_type",
        lambda ctx: (new_volume(ctx), {"volume_type": "gp3"}),
        _volume,
        None,
    ),
    Case(
        "release_address",
        lambda ctx: (str(ec2(ctx).allocate_address(Domain="vpc")["AllocationId"]), {}),
        lambda ctx, a: [x["AllocationId"] for x in ec2(ctx).describe_addresses()["Addresses"]],
        None,
    ),
    Case(
        "delete_snapshot",
        lambda ctx: (str(ec2(ctx).create_snapshot(VolumeId=new_volume(ctx))["SnapshotId"]), {}),
        _snapshot_exists,
        None,
    ),
    Case("delete_volume", lambda ctx: (new_volume(ctx), {}), _volume, None),
    Case("remove_nacl_entry", open_nacl, inbound_entries, "ec2-nacl-open-all-ports now passes"),
    Case(
        "redirect_http_to_https",
        lambda ctx: (new_alb(ctx)[0], {}),
        _http_listener,
        "elb-http-listener-without-redirect now passes",
    ),
    Case("enable_pitr", lambda ctx: (new_table(ctx), {}), _pitr, "dynamodb-table-pitr now passes"),
    Case(
        "enable_scan_on_push",
        lambda ctx: (new_repository(ctx), {}),
        _scan_on_push,
        "ecr-repository-scan-on-push now passes",
    ),
    Case(
        "enable_guardduty",
        lambda ctx: ("guardduty", {}),
        lambda ctx, _: _detectors(ctx),
        "guardduty-enabled now passes",
        region=R,
    ),
    Case("disable_auto_public_ip", public_subnet, _maps_public_ip, "ec2-subnet-auto-public-ip now passes"),
]


def test_every_action_has_a_case() -> None:
    assert {c.action for c in CASES} | {"revoke_ingress", "block_public_access"} == set(ACTIONS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.action)
def test_plan_apply_verify_repeat(ctx: ToolContext, case: Case) -> None:
    tool = Remediate()
    resource_id, params = case.plant(ctx)
    a = tool.parse(
        {"action": case.action, "resource_id": resource_id, "params": params, "region": case.region}
    )
    before = case.state(ctx, resource_id)
    plan = tool.plan(ctx, a)
    assert case.state(ctx, resource_id) == before, "the dry run changed something"
    assert plan.applicable and plan.changes and plan.summary
    assert plan.region == ("global" if case.action == "deactivate_access_key" else R)
    assert plan.account == "123456789012" and plan.resource_id == resource_id
    assert params.items() <= plan.details["params"].items()

    result = tool.apply(ctx, a, plan, idempotency_key=f"ap-{case.action}")
    assert result.status == ToolStatus.OK, result.message
    assert result.applied and result.changed == plan.changes and result.unchanged == []
    assert result.verification is not None and result.verification.ok, result.verification
    assert case.state(ctx, resource_id) != before
    if case.rule_check:
        assert case.rule_check in result.verification.message

    again = tool.apply(ctx, a, plan, idempotency_key=f"ap-{case.action}")
    assert again.status == ToolStatus.OK and again.changed == []
    assert again.unchanged == [f"{c}: already done" for c in plan.changes]
    assert tool.verify(ctx, a, plan).ok
    if case.action in ("release_address", "delete_snapshot", "delete_volume"):
        with pytest.raises(UserFacingError, match="No .* found"):
            tool.plan(ctx, a)
    else:
        done = tool.plan(ctx, a)
        assert not done.applicable and done.summary.startswith("Nothing to change")


def test_delete_volume_keeps_a_snapshot(ctx: ToolContext) -> None:
    tool = Remediate()
    vol = new_volume(ctx)
    a = tool.parse({"action": "delete_volume", "resource_id": vol})
    plan = tool.plan(ctx, a)
    assert plan.changes[0].startswith(f"snapshot volume {vol}") and plan.changes[1].startswith(
        "delete volume"
    )
    result = tool.apply(ctx, a, plan, idempotency_key="ap-dv")
    assert result.verification is not None and "its data is in snapshot snap-" in result.verification.message
    snaps = ec2(ctx).describe_snapshots(Filters=[{"Name": f"tag:{SOURCE_TAG}", "Values": [vol]}])["Snapshots"]
    assert len(snaps) == 1 and {"Key": "Name", "Value": "scratch"} in snaps[0]["Tags"]


def test_actions_refuse_what_they_must_not_do(ctx: ToolContext) -> None:
    tool = Remediate()
    inst = new_instance(ctx)
    vol = new_volume(ctx)
    ec2(ctx).attach_volume(VolumeId=vol, InstanceId=inst, Device="/dev/sdf")
    attached = tool.plan(ctx, tool.parse({"action": "delete_volume", "resource_id": vol}))
    assert not attached.applicable and "detach it before deleting" in attached.summary
    with pytest.raises(UserFacingError, match="Not applied: Volume .* is attached"):
        tool.apply(
            ctx,
            tool.parse({"action": "delete_volume", "resource_id": vol}),
            attached.model_copy(update={"applicable": True}),
            idempotency_key="x",
        )
    assert _volume(ctx, vol) == "gp2"

    alloc = ec2(ctx).allocate_address(Domain="vpc")["AllocationId"]
    ec2(ctx).associate_address(AllocationId=alloc, InstanceId=inst)
    in_use = tool.plan(ctx, tool.parse({"action": "release_address", "resource_id": alloc}))
    assert not in_use.applicable and "disassociate it first" in in_use.summary

    user, _ = _user_with_two_keys(ctx)
    which = tool.plan(ctx, tool.parse({"action": "deactivate_access_key", "resource_id": user}))
    assert not which.applicable and "say which one" in which.summary
    with pytest.raises(UserFacingError, match="Invalid params for deactivate_access_key"):
        tool.plan(
            ctx,
            tool.parse(
                {"action": "deactivate_access_key", "resource_id": user, "params": {"access_key_id": 5}}
            ),
        )
    nokey = tool.plan(
        ctx,
        tool.parse(
            {
                "action": "deactivate_access_key",
                "resource_id": user,
                "params": {"access_key_id": "AKIA0000000000000000"},
            }
        ),
    )
    assert not nokey.applicable and "no access key AKIA0000000000000000" in nokey.summary

    with pytest.raises(UserFacingError, match="kms_key_id is only used with algorithm aws:kms"):
        tool.plan(
            ctx,
            tool.parse(
                {
                    "action": "enable_bucket_encryption",
                    "resource_id": new_bucket(ctx),
                    "params": {"kms_key_id": "k"},
                }
            ),
        )
    with pytest.raises(UserFacingError, match="matches 2"):
        tool.plan(
            ctx,
            tool.parse(
                {"action": "enable_ebs_default_encryption", "resource_id": "ebs-encryption-by-default"}
            ),
        )
    with pytest.raises(UserFacingError, match="Input should be 'gp3' or 'gp2'"):
        tool.plan(
            ctx,
            tool.parse(
                {"action": "modify_volume_type", "resource_id": vol, "params": {"volume_type": "io2"}}
            ),
        )


def test_kms_key_encryption_on_bucket(ctx: ToolContext) -> None:
    tool = Remediate()
    bucket = new_bucket(ctx)
    a = tool.parse(
        {
            "action": "enable_bucket_encryption",
            "resource_id": bucket,
            "params": {"algorithm": "aws:kms", "kms_key_id": "alias/acme-data"},
        }
    )
    plan = tool.plan(ctx, a)
    assert plan.changes == [f"set default encryption aws:kms with key alias/acme-data on bucket {bucket}"]
    tool.apply(ctx, a, plan, idempotency_key="k")
    rule = _bucket_encryption(ctx, bucket)[0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": "alias/acme-data",
    }
    assert json.dumps(plan.details["params"]) == '{"algorithm": "aws:kms", "kms_key_id": "alias/acme-data"}'


def test_input_model_lists_every_action() -> None:
    with pytest.raises(ValueError):
        RemediateInput.model_validate({"action": "terminate_everything", "resource_id": "x"})
