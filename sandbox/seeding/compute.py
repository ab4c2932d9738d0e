"""Compute building blocks: instances with their root volumes, EBS volumes and snapshots,
Elastic IPs and RDS databases."""

from __future__ import annotations

from typing import Any

from sandbox.manifest import SANDBOX_AMI
from sandbox.seeding.account import SeedAccount, tags


def instance(
    a: SeedAccount,
    region: str,
    name: str,
    itype: str,
    subnet: str,
    groups: list[str],
    env: str,
    team: str,
    owner: str,
    *,
    public: bool = False,
    imdsv2: bool = True,
) -> str:
    ec2 = a.client("ec2", region)
    placement: dict[str, Any] = (
        {
            "NetworkInterfaces": [
                {"DeviceIndex": 0, "SubnetId": subnet, "Groups": groups, "AssociatePublicIpAddress": True}
            ]
        }
        if public
        else {"SubnetId": subnet, "SecurityGroupIds": groups}
    )
    inst = ec2.run_instances(
        ImageId=SANDBOX_AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType=itype,
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3", "Encrypted": True}}
        ],
        MetadataOptions={"HttpTokens": "required" if imdsv2 else "optional", "HttpEndpoint": "enabled"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags(name, env, team, owner)}],
        **placement,
    )["Instances"][0]["InstanceId"]
    a.add("ec2_instance", inst, name, region)
    vols = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [inst]}])["Volumes"]
    for vol in vols:
        ec2.create_tags(Resources=[vol["VolumeId"]], Tags=tags(f"{name}-root", env, team, owner))
        a.add("ebs_volume", vol["VolumeId"], f"{name}-root", region)
    return str(inst)


def volume(
    a: SeedAccount,
    region: str,
    name: str,
    size: int,
    vtype: str,
    encrypted: bool,
    env: str,
    team: str,
    attach_to: str | None = None,
) -> str:
    ec2 = a.client("ec2", region)
    vol = ec2.create_volume(
        AvailabilityZone=f"{region}b" if attach_to else f"{region}a",
        Size=size,
        VolumeType=vtype,
        Encrypted=encrypted,
        TagSpecifications=[{"ResourceType": "volume", "Tags": tags(name, env, team, f"{team}@acme.example")}],
    )["VolumeId"]
    if attach_to:
        ec2.attach_volume(VolumeId=vol, InstanceId=attach_to, Device="/dev/sdf")
    return a.add("ebs_volume", vol, name, region)


def snapshot(
    a: SeedAccount, region: str, volume_id: str, name: str, team: str, *, public: bool = False
) -> str:
    ec2 = a.client("ec2", region)
    snap = ec2.create_snapshot(
        VolumeId=volume_id,
        Description=f"{name} backup",
        TagSpecifications=[
            {"ResourceType": "snapshot", "Tags": tags(name, "prod", team, f"{team}@acme.example")}
        ],
    )["SnapshotId"]
    if public:
        ec2.modify_snapshot_attribute(
            SnapshotId=snap, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
        )
    return a.add("ebs_snapshot", snap, name, region)


def address(a: SeedAccount, region: str, name: str, team: str, instance_id: str | None = None) -> str:
    ec2 = a.client("ec2", region)
    alloc = ec2.allocate_address(
        Domain="vpc",
        TagSpecifications=[
            {"ResourceType": "elastic-ip", "Tags": tags(name, "prod", team, f"{team}@acme.example")}
        ],
    )["AllocationId"]
    if instance_id:
        ec2.associate_address(AllocationId=alloc, InstanceId=instance_id)
    return a.add("elastic_ip", alloc, name, region)


def database(
    a: SeedAccount,
    region: str,
    name: str,
    engine: str,
    public: bool,
    groups: list[str],
    env: str,
    team: str,
    *,
    multi_az: bool = False,
    encrypted: bool = True,
    backup_days: int = 7,
    deletion_protection: bool = True,
    minor_upgrades: bool = True,
) -> str:
    rds = a.client("rds", region)
    rds.create_db_instance(
        DBInstanceIdentifier=name,
        Engine=engine,
        DBInstanceClass="db.t3.medium" if env == "prod" else "db.t3.micro",
        AllocatedStorage=100 if env == "prod" else 20,
        MasterUsername="acmeadmin",
        MasterUserPassword="sandbox-only-Pa55word",
        PubliclyAccessible=public,
        StorageEncrypted=encrypted,
        MultiAZ=multi_az,
        VpcSecurityGroupIds=groups,
        BackupRetentionPeriod=backup_days,
        DeletionProtection=deletion_protection,
        AutoMinorVersionUpgrade=minor_upgrades,
        Tags=[t for t in tags(name, env, team, f"{team}@acme.example") if t["Key"] != "Name"],
    )
    return a.add("rds_instance", name, name, region)
