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
    imdsv2: bool = True,
    monitoring: bool = True,
    profile: str | None = None,
) -> str:
    """An instance; it gets a public address only from its subnet's auto-assign setting or an
    Elastic IP. `profile` names its IAM instance profile; `monitoring` is detailed monitoring."""
    ec2 = a.client("ec2", region)
    extra: dict[str, Any] = {"IamInstanceProfile": {"Name": profile}} if profile else {}
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
        SubnetId=subnet,
        SecurityGroupIds=groups,
        Monitoring={"Enabled": monitoring},
        **extra,
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


# Current engine versions, and the parameter that forces TLS for each engine.
ENGINE_VERSIONS = {"postgres": "16.3", "mysql": "8.0.39"}
DEFAULT_PORTS = {"postgres": 5432, "mysql": 3306}
LOG_EXPORTS = {"postgres": ["postgresql", "upgrade"], "mysql": ["error", "slowquery"]}


def tls_parameter_group(a: SeedAccount, region: str, engine: str, version: str) -> str:
    """A parameter group of the engine's family that refuses connections without TLS."""
    family = f"{engine}{version.split('.')[0]}" if engine == "postgres" else f"{engine}{version[:3]}"
    name = f"acme-{family.replace('.', '')}-tls"
    rds = a.client("rds", region)
    rds.create_db_parameter_group(
        DBParameterGroupName=name, DBParameterGroupFamily=family, Description="Acme baseline: TLS only"
    )
    parameter = ("rds.force_ssl", "1") if engine == "postgres" else ("require_secure_transport", "ON")
    rds.modify_db_parameter_group(
        DBParameterGroupName=name,
        Parameters=[
            {"ParameterName": parameter[0], "ParameterValue": parameter[1], "ApplyMethod": "pending-reboot"}
        ],
    )
    return name


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
    version: str | None = None,
    port: int | None = None,
    master_user: str = "acmeadmin",
    parameter_group: str | None = None,
    iam_auth: bool = True,
    monitoring_role: str | None = None,
    log_exports: bool = True,
    copy_tags: bool = True,
) -> str:
    """An RDS instance; without `parameter_group` it gets the engine's default group (which does
    not force TLS), without `monitoring_role` no enhanced monitoring."""
    rds = a.client("rds", region)
    extra: dict[str, Any] = {}
    if parameter_group:
        extra["DBParameterGroupName"] = parameter_group
    if monitoring_role:
        extra["MonitoringInterval"] = 60
        extra["MonitoringRoleArn"] = monitoring_role
    if log_exports:
        extra["EnableCloudwatchLogsExports"] = LOG_EXPORTS[engine]
    rds.create_db_instance(
        DBInstanceIdentifier=name,
        Engine=engine,
        EngineVersion=version or ENGINE_VERSIONS[engine],
        DBInstanceClass="db.t3.medium" if env == "prod" else "db.t3.micro",
        AllocatedStorage=100 if env == "prod" else 20,
        MasterUsername=master_user,
        MasterUserPassword="sandbox-only-Pa55word",
        Port=port or DEFAULT_PORTS[engine],
        PubliclyAccessible=public,
        StorageEncrypted=encrypted,
        MultiAZ=multi_az,
        VpcSecurityGroupIds=groups,
        BackupRetentionPeriod=backup_days,
        DeletionProtection=deletion_protection,
        AutoMinorVersionUpgrade=minor_upgrades,
        EnableIAMDatabaseAuthentication=iam_auth,
        CopyTagsToSnapshot=copy_tags,
        Tags=[t for t in tags(name, env, team, f"{team}@acme.example") if t["Key"] != "Name"],
        **extra,
    )
    return a.add("rds_instance", name, name, region)


def db_snapshot(a: SeedAccount, region: str, instance_id: str, name: str, *, public: bool = False) -> str:
    """A manual snapshot of an RDS instance (encrypted when the instance is); `public` shares it
    with every AWS account."""
    rds = a.client("rds", region)
    rds.create_db_snapshot(DBInstanceIdentifier=instance_id, DBSnapshotIdentifier=name)
    if public:
        rds.modify_db_snapshot_attribute(
            DBSnapshotIdentifier=name, AttributeName="restore", ValuesToAdd=["all"]
        )
    return a.add("rds_snapshot", name, name, region)
