"""Seed the sandbox with a small, realistic company ("Acme") and a known set of planted mistakes.

Two accounts: production (the caller's own) and a development account reached through an
assumed audit role. The manifest lists every resource created and every planted
misconfiguration as (account, rule_id, resource_id, region), so tests and the demo can check
scan results exactly: every planted issue is found and nothing else is.

Account-wide settings exist once per account (or per region), so where production gets a
setting wrong the development account gets it right, and the other way round.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from tools.inventory.aws import AwsClients
from tools.inventory.collectors.cloudtrail import ACCOUNT_ID as CLOUDTRAIL_ACCOUNT_ID
from tools.inventory.collectors.cloudwatch import ACCOUNT_ID as CLOUDWATCH_ACCOUNT_ID
from tools.inventory.collectors.config import RECORDER_ID
from tools.inventory.collectors.ebs import EBS_DEFAULT_ID
from tools.inventory.collectors.iam import PASSWORD_POLICY_ID, ROOT_ID
from tools.inventory.collectors.s3 import ACCOUNT_SETTINGS_ID
from tools.security.rules.cloudtrail.bucket_access_logging import TrailBucketWithoutAccessLogging
from tools.security.rules.cloudtrail.cloudwatch_integration import TrailWithoutCloudWatch
from tools.security.rules.cloudtrail.kms_encryption import TrailWithoutKms
from tools.security.rules.cloudtrail.log_file_validation import LogFileValidationOff
from tools.security.rules.cloudtrail.multi_region import NoMultiRegionTrail
from tools.security.rules.cloudwatch.cloudtrail_changes import CloudTrailChangesAlarm
from tools.security.rules.cloudwatch.console_signin_without_mfa import ConsoleSigninWithoutMfaAlarm
from tools.security.rules.cloudwatch.iam_policy_changes import IamPolicyChangesAlarm
from tools.security.rules.cloudwatch.root_usage import RootUsageAlarm
from tools.security.rules.cloudwatch.security_group_changes import SecurityGroupChangesAlarm
from tools.security.rules.cloudwatch.unauthorized_api_calls import UnauthorizedApiCallsAlarm
from tools.security.rules.config.recorder_enabled import ConfigNotRecording
from tools.security.rules.ebs.default_encryption import EbsDefaultEncryptionOff
from tools.security.rules.ebs.public_snapshot import PublicSnapshot
from tools.security.rules.ebs.unencrypted_snapshot import UnencryptedSnapshot
from tools.security.rules.ebs.unencrypted_volume import UnencryptedVolume
from tools.security.rules.ec2.default_security_group import DefaultSecurityGroupOpen
from tools.security.rules.ec2.instance_imdsv2 import InstanceWithoutImdsv2
from tools.security.rules.ec2.instance_public_ip import InstanceWithPublicIp
from tools.security.rules.ec2.open_admin_ports import OpenAdminPorts
from tools.security.rules.ec2.open_database_ports import OpenDatabasePorts
from tools.security.rules.ec2.unattached_elastic_ip import UnattachedElasticIp
from tools.security.rules.ec2.vpc_flow_logs import VpcWithoutFlowLogs
from tools.security.rules.iam.console_user_without_mfa import ConsoleUserWithoutMfa
from tools.security.rules.iam.direct_policies import DirectUserPolicies
from tools.security.rules.iam.full_admin_policy import FullAdminPolicy
from tools.security.rules.iam.multiple_access_keys import MultipleActiveAccessKeys
from tools.security.rules.iam.password_complexity import PasswordComplexity
from tools.security.rules.iam.password_min_length import PasswordMinLength
from tools.security.rules.iam.password_reuse import PasswordReuse
from tools.security.rules.iam.root_mfa import RootWithoutMfa
from tools.security.rules.kms.key_rotation import KeyRotationOff
from tools.security.rules.kms.pending_deletion import KeyPendingDeletion
from tools.security.rules.kms.public_key_policy import PublicKeyPolicy
from tools.security.rules.rds.backups import RdsBackupRetention
from tools.security.rules.rds.deletion_protection import RdsDeletionProtection
from tools.security.rules.rds.minor_version_upgrade import RdsMinorUpgradesOff
from tools.security.rules.rds.public_instance import PublicRdsInstance
from tools.security.rules.rds.unencrypted_instance import UnencryptedRdsInstance
from tools.security.rules.s3.account_public_access_block import AccountPublicAccessBlock
from tools.security.rules.s3.bucket_encryption import BucketWithoutEncryption
from tools.security.rules.s3.bucket_public_access_block import BucketPublicAccessBlock
from tools.security.rules.s3.bucket_versioning import BucketWithoutVersioning
from tools.security.rules.s3.public_bucket import PublicS3Bucket
from tools.security.rules.s3.secure_transport import BucketAllowsHttp

# The account alias marks a seeded account: cheap to read, and not one of the inventoried
# resource types, so it never shows up in scans or counts.
SEED_MARKER_ALIAS = "acme-cloudpilot-sandbox-v1"
# An AMI id in moto's format; moto does not require it to exist.
SANDBOX_AMI = "ami-0c1a7f89451184c8b"
# The development account and the role CloudPilot assumes to audit it
# (settings: aws.assume_role_arns = [DEV_AUDIT_ROLE]).
DEV_ACCOUNT = "111122223333"
DEV_AUDIT_ROLE = f"arn:aws:iam::{DEV_ACCOUNT}:role/CloudPilotAudit"
GLOBAL = "global"
FULL_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}

# Rules whose misconfiguration moto cannot represent: root access keys (AccountAccessKeysPresent
# is always 0), a virtual root MFA device (root MFA can never be enabled), and access keys or
# passwords older than a threshold (moto stamps keys with the current time). Their rules are
# checked on normalised resources in tests instead.
NOT_REPRESENTABLE = frozenset(
    {
        "iam-root-access-keys",
        "iam-root-hardware-mfa",
        "iam-user-access-key-not-rotated",
        "iam-user-unused-credentials",
    }
)


class SeededResource(BaseModel):
    type: str  # vpc, subnet, internet_gateway, route_table, or a tool resource type
    id: str
    name: str
    region: str
    account: str = ""


class PlantedMisconfiguration(BaseModel):
    rule_id: str
    resource_id: str
    region: str
    note: str = ""
    account: str = ""


class SeedManifest(BaseModel):
    account_id: str
    regions: list[str]
    resources: list[SeededResource] = Field(default_factory=list)
    misconfigurations: list[PlantedMisconfiguration] = Field(default_factory=list)
    # Other seeded accounts: account id -> the role that reaches it.
    member_accounts: dict[str, str] = Field(default_factory=dict)

    def of_type(self, resource_type: str, account: str | None = None) -> list[SeededResource]:
        return [
            r for r in self.resources if r.type == resource_type and (account is None or r.account == account)
        ]

    def by_name(self, name: str) -> SeededResource:
        for r in self.resources:
            if r.name == name:
                return r
        raise KeyError(name)

    def planted(self, account: str | None = None) -> list[PlantedMisconfiguration]:
        """Planted issues of one account (the production account when None)."""
        wanted = account or self.account_id
        return [m for m in self.misconfigurations if m.account == wanted]

    def expected_findings(self, account: str | None = None) -> set[tuple[str, str]]:
        return {(m.rule_id, m.resource_id) for m in self.planted(account)}

    def expected_by_region(self, account: str | None = None) -> set[tuple[str, str, str]]:
        return {(m.rule_id, m.resource_id, m.region) for m in self.planted(account)}

    def all_expected(self) -> set[tuple[str, str, str, str]]:
        return {(m.account, m.rule_id, m.resource_id, m.region) for m in self.misconfigurations}


def _tags(name: str, env: str, team: str, owner: str, **extra: str) -> list[dict[str, str]]:
    tags = {"Name": name, "env": env, "team": team, "owner": owner, "cost-center": f"cc-{team}", **extra}
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _world(port: int, *, v4: bool = True, v6: bool = False, desc: str = "") -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if v4:
        perm["IpRanges"] = [{"CidrIp": "0.0.0.0/0", "Description": desc}]
    if v6:
        perm["Ipv6Ranges"] = [{"CidrIpv6": "::/0", "Description": desc}]
    return perm


def _from_group(port: int, group_id: str, desc: str) -> dict[str, Any]:
    return {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "UserIdGroupPairs": [{"GroupId": group_id, "Description": desc}],
    }


def _tls_only(bucket: str) -> dict[str, Any]:
    return {
        "Sid": "DenyPlainHttp",
        "Effect": "Deny",
        # The object form of "everyone": moto's log-delivery check cannot read the string form.
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _read_statement(bucket: str, principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "Read",
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# CloudWatch Logs filter patterns in the CIS benchmark's form.
ROOT_USAGE_PATTERN = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
    '$.eventType != "AwsServiceEvent" }'
)
UNAUTHORIZED_PATTERN = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
NO_MFA_PATTERN = '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'
IAM_POLICY_PATTERN = (
    "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||"
    "($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||"
    "($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||"
    "($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
    "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||"
    "($.eventName=DetachGroupPolicy)}"
)


class _Account:
    """Seeding helpers bound to one account (the caller's own, or one reached through a role)."""

    def __init__(self, seeder: _Seeder, account_id: str, role_arn: str | None) -> None:
        self.seeder = seeder
        self.aws = seeder.aws
        self.id = account_id
        self.role = role_arn

    def client(self, service: str, region: str) -> Any:
        return self.aws.client(service, region, role_arn=self.role)

    def add(self, type_: str, id_: str, name: str, region: str) -> str:
        return self.seeder.add(type_, id_, name, region, self.id)

    def plant(self, rule_id: str, resource_id: str, region: str, note: str) -> None:
        self.seeder.plant(rule_id, resource_id, region, note, self.id)

    # --- region-wide settings ------------------------------------------------------------

    def default_vpc_baseline(self, region: str, *, flow_logs_bucket: str) -> None:
        """The default VPC AWS creates in every region: give it flow logs and an empty default group."""
        ec2 = self.client("ec2", region)
        for vpc in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]:
            self.flow_logs(region, vpc["VpcId"], flow_logs_bucket)
            self.close_default_group(region, vpc["VpcId"])

    def close_default_group(self, region: str, vpc: str) -> None:
        ec2 = self.client("ec2", region)
        groups = ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"]
        for g in groups:
            if g.get("IpPermissions"):
                ec2.revoke_security_group_ingress(GroupId=g["GroupId"], IpPermissions=g["IpPermissions"])
            if g.get("IpPermissionsEgress"):
                ec2.revoke_security_group_egress(GroupId=g["GroupId"], IpPermissions=g["IpPermissionsEgress"])

    def default_group(self, region: str, vpc: str) -> str:
        groups = self.client("ec2", region).describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"]
        return str(groups[0]["GroupId"])

    def flow_logs(self, region: str, vpc: str, bucket: str) -> None:
        created = self.client("ec2", region).create_flow_logs(
            ResourceIds=[vpc],
            ResourceType="VPC",
            TrafficType="ALL",
            LogDestinationType="s3",
            LogDestination=f"arn:aws:s3:::{bucket}",
        )
        if created.get("Unsuccessful"):
            raise RuntimeError(f"flow log for {vpc} not created: {created['Unsuccessful']}")

    def config_recorder(self, region: str, bucket: str) -> None:
        config = self.client("config", region)
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{self.id}:role/aws-service-role/config.amazonaws.com/"
                "AWSServiceRoleForConfig",
                "recordingGroup": {
                    "allSupported": True,
                    "includeGlobalResourceTypes": region == self.seeder.primary,
                },
            }
        )
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
        config.start_configuration_recorder(ConfigurationRecorderName="default")

    # --- network -------------------------------------------------------------------------

    def network(self, region: str, name: str, cidr: str, env: str) -> tuple[str, str, str]:
        """A VPC with a public and a private subnet; returns (vpc, public subnet, private subnet)."""
        ec2 = self.client("ec2", region)
        octets = cidr.split(".")
        vpc = ec2.create_vpc(
            CidrBlock=cidr,
            TagSpecifications=[
                {"ResourceType": "vpc", "Tags": _tags(name, env, "platform", "platform@acme.example")}
            ],
        )["Vpc"]["VpcId"]
        self.add("vpc", vpc, name, region)
        subnets = []
        for i, (kind, az) in enumerate((("public", "a"), ("private", "b")), start=1):
            sub_name = f"{name}-{kind}-{az}"
            sub = ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=f"{octets[0]}.{octets[1]}.{i}.0/24",
                AvailabilityZone=f"{region}{az}",
                TagSpecifications=[
                    {
                        "ResourceType": "subnet",
                        "Tags": _tags(sub_name, env, "platform", "platform@acme.example"),
                    }
                ],
            )["Subnet"]["SubnetId"]
            subnets.append(self.add("subnet", sub, sub_name, region))
        igw = ec2.create_internet_gateway(
            TagSpecifications=[
                {
                    "ResourceType": "internet-gateway",
                    "Tags": _tags(f"{name}-igw", env, "platform", "platform@acme.example"),
                }
            ]
        )["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        self.add("internet_gateway", igw, f"{name}-igw", region)
        rtb = ec2.create_route_table(
            VpcId=vpc,
            TagSpecifications=[
                {
                    "ResourceType": "route-table",
                    "Tags": _tags(f"{name}-public-rt", env, "platform", "platform@acme.example"),
                }
            ],
        )["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnets[0])
        self.add("route_table", rtb, f"{name}-public-rt", region)
        return vpc, subnets[0], subnets[1]

    def security_group(
        self, region: str, vpc: str, name: str, desc: str, ingress: list[dict[str, Any]], env: str, team: str
    ) -> str:
        ec2 = self.client("ec2", region)
        sg = ec2.create_security_group(
            GroupName=name,
            Description=desc,
            VpcId=vpc,
            TagSpecifications=[
                {"ResourceType": "security-group", "Tags": _tags(name, env, team, f"{team}@acme.example")}
            ],
        )["GroupId"]
        if ingress:
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=ingress)
        return self.add("security_group", sg, name, region)

    # --- compute and storage ---------------------------------------------------------------

    def instance(
        self,
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
        ec2 = self.client("ec2", region)
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
            TagSpecifications=[{"ResourceType": "instance", "Tags": _tags(name, env, team, owner)}],
            **placement,
        )["Instances"][0]["InstanceId"]
        self.add("ec2_instance", inst, name, region)
        vols = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [inst]}])["Volumes"]
        for vol in vols:
            ec2.create_tags(Resources=[vol["VolumeId"]], Tags=_tags(f"{name}-root", env, team, owner))
            self.add("ebs_volume", vol["VolumeId"], f"{name}-root", region)
        return inst

    def volume(
        self,
        region: str,
        name: str,
        size: int,
        vtype: str,
        encrypted: bool,
        env: str,
        team: str,
        attach_to: str | None = None,
    ) -> str:
        ec2 = self.client("ec2", region)
        vol = ec2.create_volume(
            AvailabilityZone=f"{region}b" if attach_to else f"{region}a",
            Size=size,
            VolumeType=vtype,
            Encrypted=encrypted,
            TagSpecifications=[
                {"ResourceType": "volume", "Tags": _tags(name, env, team, f"{team}@acme.example")}
            ],
        )["VolumeId"]
        if attach_to:
            ec2.attach_volume(VolumeId=vol, InstanceId=attach_to, Device="/dev/sdf")
        return self.add("ebs_volume", vol, name, region)

    def snapshot(self, region: str, volume: str, name: str, team: str, *, public: bool = False) -> str:
        ec2 = self.client("ec2", region)
        snap = ec2.create_snapshot(
            VolumeId=volume,
            Description=f"{name} backup",
            TagSpecifications=[
                {"ResourceType": "snapshot", "Tags": _tags(name, "prod", team, f"{team}@acme.example")}
            ],
        )["SnapshotId"]
        if public:
            ec2.modify_snapshot_attribute(
                SnapshotId=snap, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
            )
        return self.add("ebs_snapshot", snap, name, region)

    def address(self, region: str, name: str, team: str, instance: str | None = None) -> str:
        ec2 = self.client("ec2", region)
        alloc = ec2.allocate_address(
            Domain="vpc",
            TagSpecifications=[
                {"ResourceType": "elastic-ip", "Tags": _tags(name, "prod", team, f"{team}@acme.example")}
            ],
        )["AllocationId"]
        if instance:
            ec2.associate_address(AllocationId=alloc, InstanceId=instance)
        return self.add("elastic_ip", alloc, name, region)

    def database(
        self,
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
        rds = self.client("rds", region)
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
            Tags=[t for t in _tags(name, env, team, f"{team}@acme.example") if t["Key"] != "Name"],
        )
        return self.add("rds_instance", name, name, region)

    def bucket(
        self,
        region: str,
        name: str,
        env: str,
        team: str,
        *,
        encryption: str | None = "AES256",
        block_public: bool = True,
        acl: str | None = None,
        statements: list[dict[str, Any]] | None = None,
        tls_only: bool = True,
        versioning: bool = True,
        access_log_to: str | None = None,
    ) -> str:
        s3 = self.client("s3", region)
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        tags = [t for t in _tags(name, env, team, f"{team}@acme.example") if t["Key"] != "Name"]
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags})
        if encryption:
            rule: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": encryption}}
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [rule]})
        if versioning:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if acl:
            s3.put_bucket_acl(Bucket=name, ACL=acl)
        policy = list(statements or []) + ([_tls_only(name)] if tls_only else [])
        if policy:
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps(_policy(*policy)))
        if access_log_to:
            s3.put_bucket_logging(
                Bucket=name,
                BucketLoggingStatus={
                    "LoggingEnabled": {"TargetBucket": access_log_to, "TargetPrefix": f"{name}/"}
                },
            )
        if block_public:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=dict(FULL_BLOCK))
        return self.add("s3_bucket", name, name, region)

    def user(
        self,
        name: str,
        team: str,
        *,
        console: bool,
        mfa: bool,
        access_keys: int = 0,
        groups: tuple[str, ...] = (),
        policy_arn: str | None = None,
    ) -> str:
        iam = self.client("iam", self.seeder.primary)
        iam.create_user(
            UserName=name,
            Tags=[{"Key": "team", "Value": team}, {"Key": "owner", "Value": f"{name}@acme.example"}],
        )
        if console:
            iam.create_login_profile(
                UserName=name, Password="Sandbox-only-Pa55word!", PasswordResetRequired=False
            )
        if mfa:
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
            iam.enable_mfa_device(
                UserName=name,
                SerialNumber=device["SerialNumber"],
                AuthenticationCode1="123456",
                AuthenticationCode2="654321",
            )
        for _ in range(access_keys):
            iam.create_access_key(UserName=name)
        for group in groups:
            iam.add_user_to_group(GroupName=group, UserName=name)
        if policy_arn:
            iam.attach_user_policy(UserName=name, PolicyArn=policy_arn)
        return self.add("iam_user", name, name, GLOBAL)

    def managed_policy(self, name: str, document: dict[str, Any]) -> str:
        arn = self.client("iam", self.seeder.primary).create_policy(
            PolicyName=name, PolicyDocument=json.dumps(document)
        )["Policy"]["Arn"]
        self.add("iam_policy", name, name, GLOBAL)
        return str(arn)

    def group(self, name: str, policy_arn: str | None = None) -> str:
        iam = self.client("iam", self.seeder.primary)
        iam.create_group(GroupName=name)
        if policy_arn:
            iam.attach_group_policy(GroupName=name, PolicyArn=policy_arn)
        return name

    def key(
        self,
        region: str,
        alias: str,
        *,
        rotation: bool = True,
        policy: dict[str, Any] | None = None,
        delete: bool = False,
    ) -> str:
        kms = self.client("kms", region)
        kwargs: dict[str, Any] = {"Description": alias, "Tags": [{"TagKey": "team", "TagValue": "security"}]}
        if policy:
            kwargs["Policy"] = json.dumps(policy)
        key_id = str(kms.create_key(**kwargs)["KeyMetadata"]["KeyId"])
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key_id)
        if rotation:
            kms.enable_key_rotation(KeyId=key_id)
        if delete:
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)
        self.add("kms_key", key_id, f"alias/{alias}", region)
        return key_id

    def password_policy(self, *, strong: bool) -> None:
        iam = self.client("iam", self.seeder.primary)
        if strong:
            iam.update_account_password_policy(
                MinimumPasswordLength=16,
                RequireSymbols=True,
                RequireNumbers=True,
                RequireUppercaseCharacters=True,
                RequireLowercaseCharacters=True,
                AllowUsersToChangePassword=True,
                PasswordReusePrevention=24,
            )
        else:
            iam.update_account_password_policy(MinimumPasswordLength=8, AllowUsersToChangePassword=True)

    def block_account_public_access(self) -> None:
        self.seeder.s3control(self).put_public_access_block(
            AccountId=self.id, PublicAccessBlockConfiguration=dict(FULL_BLOCK)
        )


class _Seeder:
    def __init__(self, aws: AwsClients) -> None:
        self.aws = aws
        regions = aws.regions
        self.regions = list(dict.fromkeys(regions))
        self.primary = regions[0]
        self.secondary = regions[1] if len(regions) > 1 else regions[0]
        account = str(aws.client("sts", self.primary).get_caller_identity()["Account"])
        self.manifest = SeedManifest(account_id=account, regions=self.regions)
        self.prod = _Account(self, account, None)
        self.dev = _Account(self, DEV_ACCOUNT, DEV_AUDIT_ROLE)
        # Where the savings additions run their instances (set by production()).
        self.savings_placement: dict[str, Any] = {}

    def add(self, type_: str, id_: str, name: str, region: str, account: str) -> str:
        self.manifest.resources.append(
            SeededResource(type=type_, id=id_, name=name, region=region, account=account)
        )
        return id_

    def plant(self, rule_id: str, resource_id: str, region: str, note: str, account: str) -> None:
        self.manifest.misconfigurations.append(
            PlantedMisconfiguration(
                rule_id=rule_id, resource_id=resource_id, region=region, note=note, account=account
            )
        )

    def s3control(self, account: _Account) -> Any:
        from tools.inventory.clients import AccountClients

        return AccountClients(self.aws, account.id, account.role).s3control()

    # --- the company -------------------------------------------------------------------------

    def run(self) -> SeedManifest:
        self.production()
        self.development()
        self.savings()
        self.aws.client("iam", self.primary).create_account_alias(AccountAlias=SEED_MARKER_ALIAS)
        return self.manifest

    def production(self) -> None:
        a, p, s = self.prod, self.primary, self.secondary
        admin_ports, db_ports = OpenAdminPorts.id, OpenDatabasePorts.id

        # Logging buckets first: flow logs, access logs, CloudTrail and Config deliver to them.
        logs = a.bucket(
            p, "acme-prod-logs", "prod", "platform", encryption="aws:kms", acl="log-delivery-write"
        )
        trail_bucket = a.bucket(p, "acme-cloudtrail-logs", "prod", "security", access_log_to=logs)
        eu_audit = a.bucket(s, "acme-eu-audit-logs", "prod", "security", encryption="aws:kms")

        # us-east-1: production web shop.
        vpc, pub, priv = a.network(p, "acme-prod", "10.10.0.0/16", "prod")
        a.flow_logs(p, vpc, logs)
        a.close_default_group(p, vpc)
        web = a.security_group(
            p,
            vpc,
            "acme-web-alb",
            "Public load balancer",
            [_world(443, v6=True, desc="HTTPS"), _world(80, desc="HTTP")],
            "prod",
            "web",
        )
        app = a.security_group(
            p, vpc, "acme-app", "Application servers", [_from_group(8080, web, "from ALB")], "prod", "web"
        )
        db = a.security_group(
            p, vpc, "acme-db", "Databases", [_from_group(5432, app, "from app")], "prod", "data"
        )
        bastion = a.security_group(
            p, vpc, "acme-bastion", "Bastion host", [_world(22, desc="ssh")], "prod", "platform"
        )
        a.plant(admin_ports, bastion, p, "SSH open to 0.0.0.0/0")
        web1 = a.instance(p, "web-1", "t3.medium", priv, [app], "prod", "web", "jane.doe@acme.example")
        self.savings_placement = {"SubnetId": priv, "SecurityGroupIds": [app]}
        a.instance(p, "web-2", "t3.medium", priv, [app], "prod", "web", "jane.doe@acme.example")
        bastion1 = a.instance(
            p,
            "bastion-1",
            "t3.micro",
            pub,
            [bastion],
            "prod",
            "platform",
            "ops@acme.example",
            public=True,
            imdsv2=False,
        )
        a.plant(InstanceWithPublicIp.id, bastion1, p, "bastion in a public subnet")
        a.plant(InstanceWithoutImdsv2.id, bastion1, p, "IMDSv1 still allowed")
        a.address(p, "acme-bastion-eip", "platform", instance=bastion1)
        orders = a.volume(p, "orders-data", 100, "gp3", True, "prod", "web", attach_to=web1)
        a.volume(p, "logs-archive", 500, "st1", True, "prod", "platform")
        legacy = a.volume(p, "legacy-backup", 200, "gp2", False, "prod", "platform")
        a.plant(UnencryptedVolume.id, legacy, p, "unencrypted, unattached backup volume")
        a.snapshot(p, orders, "orders-data-nightly", "web")
        legacy_snap = a.snapshot(p, legacy, "legacy-backup-2019", "platform", public=True)
        a.plant(PublicSnapshot.id, legacy_snap, p, "shared with all AWS accounts")
        a.plant(UnencryptedSnapshot.id, legacy_snap, p, "snapshot of an unencrypted volume")
        a.database(p, "orders-db", "postgres", False, [db], "prod", "data", multi_az=True, backup_days=14)
        analytics = a.database(
            p, "analytics-db", "mysql", False, [db], "prod", "data", deletion_protection=False
        )
        a.plant(RdsDeletionProtection.id, analytics, p, "deletion protection off")

        # eu-west-1: EU customers, a Windows jump host and some legacy.
        vpc, pub, priv = a.network(s, "acme-eu", "10.20.0.0/16", "prod")
        a.plant(VpcWithoutFlowLogs.id, vpc, s, "no flow log on the EU VPC")
        eu_default = a.add("security_group", a.default_group(s, vpc), "default", s)
        a.plant(DefaultSecurityGroupOpen.id, eu_default, s, "default group keeps its rules")
        eu_web = a.security_group(
            s, vpc, "acme-eu-web", "EU web tier", [_world(443, desc="HTTPS")], "prod", "web"
        )
        a.security_group(
            s,
            vpc,
            "acme-eu-app",
            "EU application servers",
            [_from_group(8443, eu_web, "from web")],
            "prod",
            "web",
        )
        a.security_group(
            s,
            vpc,
            "acme-eu-vpn",
            "Office VPN",
            [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
                {
                    "IpProtocol": "udp",
                    "FromPort": 1194,
                    "ToPort": 1194,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                },
            ],
            "prod",
            "platform",
        )
        rdp = a.security_group(
            s, vpc, "acme-rdp-jump", "Windows jump host", [_world(3389, desc="rdp")], "prod", "it"
        )
        a.plant(admin_ports, rdp, s, "RDP open to 0.0.0.0/0")
        legacy_ssh = a.security_group(
            s,
            vpc,
            "acme-legacy-ssh",
            "Legacy ETL access",
            [_world(22, v4=False, v6=True, desc="ssh v6")],
            "staging",
            "data",
        )
        a.plant(admin_ports, legacy_ssh, s, "SSH open to ::/0")
        legacy_db = a.security_group(
            s, vpc, "acme-legacy-db", "Old reporting database", [_world(5432, desc="psql")], "staging", "data"
        )
        a.plant(db_ports, legacy_db, s, "PostgreSQL open to 0.0.0.0/0")
        a.instance(s, "eu-web-1", "t3.small", priv, [eu_web], "prod", "web", "jane.doe@acme.example")
        jump = a.instance(
            s, "win-jump-1", "t3.large", pub, [rdp], "prod", "it", "it@acme.example", public=True
        )
        a.plant(InstanceWithPublicIp.id, jump, s, "jump host with a public IP")
        etl = a.instance(
            s,
            "etl-worker-1",
            "m5.large",
            priv,
            [legacy_ssh],
            "staging",
            "data",
            "li.wei@acme.example",
            imdsv2=False,
        )
        a.plant(InstanceWithoutImdsv2.id, etl, s, "IMDSv1 still allowed")
        spare = a.address(s, "acme-eu-spare-ip", "it")
        a.plant(UnattachedElasticIp.id, spare, s, "allocated, never associated")
        a.volume(s, "eu-customer-data", 250, "gp3", True, "prod", "data")
        scratch = a.volume(s, "etl-scratch", 50, "gp2", False, "dev", "data")
        a.plant(UnencryptedVolume.id, scratch, s, "unencrypted scratch volume")
        a.database(s, "customers-eu", "mysql", False, [], "prod", "data", multi_az=True, minor_upgrades=False)
        a.plant(RdsMinorUpgradesOff.id, "customers-eu", s, "auto minor version upgrade off")
        reporting = a.database(
            s,
            "reporting-eu",
            "postgres",
            True,
            [],
            "staging",
            "data",
            encrypted=False,
            backup_days=0,
            deletion_protection=False,
        )
        a.plant(PublicRdsInstance.id, reporting, s, "PubliclyAccessible=True")
        a.plant(UnencryptedRdsInstance.id, reporting, s, "StorageEncrypted=False")
        a.plant(RdsBackupRetention.id, reporting, s, "automated backups off")
        a.plant(RdsDeletionProtection.id, reporting, s, "deletion protection off")

        # S3 (names are global; buckets live in either region).
        a.bucket(p, "acme-prod-app-assets", "prod", "web")
        a.bucket(p, "acme-terraform-state", "prod", "platform", encryption="aws:kms")
        exports = a.bucket(
            s, "acme-eu-customer-exports", "prod", "data", encryption="aws:kms", versioning=False
        )
        a.plant(BucketWithoutVersioning.id, exports, s, "versioning never enabled")
        # Public ACL neutralised by Block Public Access: not public.
        cdn = a.bucket(p, "acme-static-cdn", "prod", "web", acl="public-read", tls_only=False)
        a.plant(BucketAllowsHttp.id, cdn, p, "no aws:SecureTransport deny")
        # Principal "*" limited to a VPC endpoint: not public, but nothing blocks a future public policy.
        lake = a.bucket(
            s,
            "acme-eu-data-lake",
            "prod",
            "data",
            block_public=False,
            statements=[
                _read_statement(
                    "acme-eu-data-lake", "*", {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f6a7b8"}}
                )
            ],
        )
        a.plant(BucketPublicAccessBlock.id, lake, s, "Block Public Access off")
        partner = a.bucket(
            s,
            "acme-partner-share",
            "prod",
            "data",
            block_public=False,
            statements=[_read_statement("acme-partner-share", {"AWS": "arn:aws:iam::210987654321:root"})],
        )
        a.plant(BucketPublicAccessBlock.id, partner, s, "Block Public Access off")
        public_site = a.bucket(
            p,
            "acme-public-website",
            "prod",
            "marketing",
            block_public=False,
            acl="public-read",
            versioning=False,
        )
        a.plant(PublicS3Bucket.id, public_site, p, "ACL public-read")
        a.plant(BucketPublicAccessBlock.id, public_site, p, "Block Public Access off")
        a.plant(BucketWithoutVersioning.id, public_site, p, "versioning never enabled")
        downloads = a.bucket(
            s,
            "acme-marketing-downloads",
            "prod",
            "marketing",
            block_public=False,
            encryption=None,
            versioning=False,
            tls_only=False,
            statements=[_read_statement("acme-marketing-downloads", "*")],
        )
        a.plant(PublicS3Bucket.id, downloads, s, 'bucket policy Principal "*"')
        a.plant(BucketPublicAccessBlock.id, downloads, s, "Block Public Access off")
        a.plant(BucketWithoutEncryption.id, downloads, s, "no default encryption")
        a.plant(BucketWithoutVersioning.id, downloads, s, "versioning never enabled")
        a.plant(BucketAllowsHttp.id, downloads, s, "no aws:SecureTransport deny")
        a.plant(
            AccountPublicAccessBlock.id, ACCOUNT_SETTINGS_ID, GLOBAL, "account-level setting never turned on"
        )

        # IAM.
        a.plant(RootWithoutMfa.id, ROOT_ID, GLOBAL, "root user without MFA")
        a.password_policy(strong=False)
        for pw_rule in (PasswordMinLength, PasswordReuse, PasswordComplexity):
            a.plant(
                pw_rule.id, PASSWORD_POLICY_ID, GLOBAL, "8 characters, no reuse prevention, no complexity"
            )
        read_only = a.managed_policy(
            "acme-platform-operations",
            _policy({"Effect": "Allow", "Action": ["ec2:Describe*", "s3:List*", "s3:Get*"], "Resource": "*"}),
        )
        deploy = a.managed_policy(
            "acme-ci-deploy",
            _policy(
                {
                    "Effect": "Allow",
                    "Action": ["s3:PutObject", "s3:GetObject"],
                    "Resource": "arn:aws:s3:::acme-prod-app-assets/*",
                }
            ),
        )
        break_glass = a.managed_policy(
            "acme-break-glass-admin", _policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
        )
        a.plant(FullAdminPolicy.id, "acme-break-glass-admin", GLOBAL, '"*:*" attached to group break-glass')
        # The same grant, attached to nobody: not a finding.
        a.managed_policy(
            "acme-legacy-admin-unused", _policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
        )
        a.group("platform", read_only)
        a.group("break-glass", break_glass)
        a.user("alice.nguyen", "platform", console=True, mfa=True, groups=("platform",))
        a.user("bob.martin", "platform", console=True, mfa=True, groups=("platform",))
        a.user("carol.smith", "security", console=True, mfa=True, groups=("break-glass",))
        contractor = a.user("dave.contractor", "data", console=True, mfa=False)
        a.plant(ConsoleUserWithoutMfa.id, contractor, GLOBAL, "console password, no MFA")
        ci = a.user("ci-deploy", "platform", console=False, mfa=False, access_keys=1, policy_arn=deploy)
        a.plant(DirectUserPolicies.id, ci, GLOBAL, "policy attached to the user")
        backup = a.user(
            "svc-backup", "platform", console=False, mfa=False, access_keys=2, groups=("platform",)
        )
        a.plant(MultipleActiveAccessKeys.id, backup, GLOBAL, "two active access keys")

        # KMS.
        data_key = a.key(
            p,
            "acme-data",
            policy=_policy(
                {
                    "Sid": "Admins",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{a.id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "AnyoneInTheAccount",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["kms:Encrypt", "kms:Decrypt"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"kms:CallerAccount": a.id}},
                },
            ),
        )
        legacy_key = a.key(p, "acme-legacy-app", rotation=False)
        a.plant(KeyRotationOff.id, legacy_key, p, "rotation off")
        retired = a.key(p, "acme-retired-2021", delete=True)
        a.plant(KeyPendingDeletion.id, retired, p, "scheduled for deletion")
        shared = a.key(
            s,
            "acme-eu-partner-shared",
            policy=_policy(
                {
                    "Sid": "Admins",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{a.id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "Partners",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                },
            ),
        )
        a.plant(PublicKeyPolicy.id, shared, s, 'Principal "*" may decrypt')
        a.key(s, "acme-eu-data")

        # CloudTrail: an organisation-grade multi-region trail in us-east-1 and a forgotten EU one.
        log_group = "acme-cloudtrail"
        logs_client = a.client("logs", p)
        logs_client.create_log_group(logGroupName=log_group)
        group_arn = f"arn:aws:logs:{p}:{a.id}:log-group:{log_group}:*"
        trail = a.client("cloudtrail", p)
        trail.create_trail(
            Name="acme-org-trail",
            S3BucketName=trail_bucket,
            IsMultiRegionTrail=True,
            IncludeGlobalServiceEvents=True,
            EnableLogFileValidation=True,
            KmsKeyId=data_key,
            CloudWatchLogsLogGroupArn=group_arn,
            CloudWatchLogsRoleArn=f"arn:aws:iam::{a.id}:role/CloudTrailToCloudWatch",
        )
        trail.start_logging(Name="acme-org-trail")
        a.add("cloudtrail_trail", "acme-org-trail", "acme-org-trail", p)
        eu_trail = a.client("cloudtrail", s)
        eu_trail.create_trail(Name="acme-eu-audit", S3BucketName=eu_audit, IsMultiRegionTrail=False)
        eu_trail.start_logging(Name="acme-eu-audit")
        a.add("cloudtrail_trail", "acme-eu-audit", "acme-eu-audit", s)
        for trail_rule in (
            LogFileValidationOff,
            TrailWithoutKms,
            TrailWithoutCloudWatch,
            TrailBucketWithoutAccessLogging,
        ):
            a.plant(trail_rule.id, "acme-eu-audit", s, "single-region trail set up by hand")

        # CloudWatch: three CIS alarms in place, one filter without an alarm, two missing.
        topic = a.client("sns", p).create_topic(Name="acme-security-alerts")["TopicArn"]
        cloudwatch = a.client("cloudwatch", p)
        for metric, pattern, alarm in (
            ("RootAccountUsage", ROOT_USAGE_PATTERN, True),
            ("UnauthorizedAPICalls", UNAUTHORIZED_PATTERN, True),
            ("ConsoleSignInWithoutMfa", NO_MFA_PATTERN, True),
            ("IAMPolicyChanges", IAM_POLICY_PATTERN, False),
        ):
            logs_client.put_metric_filter(
                logGroupName=log_group,
                filterName=metric,
                filterPattern=pattern,
                metricTransformations=[
                    {"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}
                ],
            )
            if alarm:
                cloudwatch.put_metric_alarm(
                    AlarmName=f"cis-{metric}",
                    MetricName=metric,
                    Namespace="CISBenchmark",
                    Statistic="Sum",
                    Period=300,
                    EvaluationPeriods=1,
                    Threshold=1,
                    ComparisonOperator="GreaterThanOrEqualToThreshold",
                    AlarmActions=[topic],
                )
        a.plant(IamPolicyChangesAlarm.id, CLOUDWATCH_ACCOUNT_ID, GLOBAL, "metric filter without an alarm")
        a.plant(CloudTrailChangesAlarm.id, CLOUDWATCH_ACCOUNT_ID, GLOBAL, "no metric filter")
        a.plant(SecurityGroupChangesAlarm.id, CLOUDWATCH_ACCOUNT_ID, GLOBAL, "no metric filter")

        # Region-wide settings: right in the primary region, missing in the secondary one.
        for region in self.regions:
            a.default_vpc_baseline(region, flow_logs_bucket=logs)
            if region == s and s != p:
                a.plant(ConfigNotRecording.id, RECORDER_ID, region, "AWS Config never set up here")
                a.plant(EbsDefaultEncryptionOff.id, EBS_DEFAULT_ID, region, "EBS encryption by default off")
                continue
            a.config_recorder(region, logs)
            # Last, so that the unencrypted volumes above could still be created.
            a.client("ec2", region).enable_ebs_encryption_by_default()

    def savings(self) -> None:
        """Waste for savings_opportunities: an idle host, gp2, a stale snapshot, spare addresses."""
        # Imported here: seed_savings builds on this module's names.
        from sandbox.seed_savings import seed_savings

        a = self.prod
        added = {
            r.name: r.model_copy(update={"account": a.id})
            for r in seed_savings(self.aws, placement=self.savings_placement)
        }
        self.manifest.resources.extend(added.values())
        for name, note in (
            ("old-nat-ip", "address of a NAT instance that was removed"),
            ("eu-legacy-ftp-ip", "address kept for a retired FTP server"),
        ):
            r = added[name]
            a.plant(UnattachedElasticIp.id, r.id, r.region, note)
        busy = added["api-busy-1"]
        a.plant(InstanceWithPublicIp.id, busy.id, busy.region, "API host reached on its Elastic IP")

    def development(self) -> None:
        """A small development account: the account-wide settings production gets wrong are right
        here, and the other way round."""
        d, p = self.dev, self.primary
        iam = d.client("iam", p)
        iam.create_role(
            RoleName="CloudPilotAudit",
            AssumeRolePolicyDocument=json.dumps(
                _policy(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{self.prod.id}:root"},
                        "Action": "sts:AssumeRole",
                    }
                )
            ),
        )
        self.manifest.member_accounts[d.id] = DEV_AUDIT_ROLE
        d.password_policy(strong=True)
        d.block_account_public_access()
        logs = d.bucket(p, "acme-dev-logs", "dev", "platform", acl="log-delivery-write")
        d.bucket(p, "acme-dev-artifacts", "dev", "platform", access_log_to=logs)
        d.user("dev-ci", "platform", console=False, mfa=False, access_keys=1)
        d.plant(RootWithoutMfa.id, ROOT_ID, GLOBAL, "root user without MFA")
        # No CloudTrail at all in development: nothing records, nothing alarms.
        d.plant(NoMultiRegionTrail.id, CLOUDTRAIL_ACCOUNT_ID, GLOBAL, "no trail in the account")
        for alarm_rule in (
            UnauthorizedApiCallsAlarm,
            ConsoleSigninWithoutMfaAlarm,
            RootUsageAlarm,
            IamPolicyChangesAlarm,
            CloudTrailChangesAlarm,
            SecurityGroupChangesAlarm,
        ):
            d.plant(alarm_rule.id, CLOUDWATCH_ACCOUNT_ID, GLOBAL, "no trail delivers to CloudWatch Logs")
        for region in self.regions:
            d.default_vpc_baseline(region, flow_logs_bucket=logs)
            d.config_recorder(region, logs)
            d.client("ec2", region).enable_ebs_encryption_by_default()


def is_seeded(aws: AwsClients) -> bool:
    aliases = aws.client("iam", aws.regions[0]).list_account_aliases().get("AccountAliases", [])
    return SEED_MARKER_ALIAS in aliases


def seed(aws: AwsClients) -> SeedManifest:
    """Create the sandbox company. Not idempotent on its own: check `is_seeded` first."""
    return _Seeder(aws).run()
