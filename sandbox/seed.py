"""Seed the sandbox account with a small, realistic company ("Acme") and a few planted mistakes.

The manifest lists every resource created and every planted misconfiguration as
(rule_id, resource_id), so tests and the demo can check scan results exactly.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from tools.aws import AwsClients
from tools.security.rules.ebs.unencrypted_volume import UnencryptedVolume
from tools.security.rules.ec2.open_admin_ports import OpenAdminPorts
from tools.security.rules.iam.console_user_without_mfa import ConsoleUserWithoutMfa
from tools.security.rules.rds.public_instance import PublicRdsInstance
from tools.security.rules.s3.public_bucket import PublicS3Bucket

# The account alias marks a seeded account: cheap to read, and not one of the inventoried
# resource types, so it never shows up in scans or counts.
SEED_MARKER_ALIAS = "acme-cloudpilot-sandbox-v1"
# An AMI id in moto's format; moto does not require it to exist.
SANDBOX_AMI = "ami-0c1a7f89451184c8b"


class SeededResource(BaseModel):
    type: str  # vpc, subnet, internet_gateway, route_table, or a tool resource type
    id: str
    name: str
    region: str


class PlantedMisconfiguration(BaseModel):
    rule_id: str
    resource_id: str
    region: str
    note: str = ""


class SeedManifest(BaseModel):
    account_id: str
    regions: list[str]
    resources: list[SeededResource] = Field(default_factory=list)
    misconfigurations: list[PlantedMisconfiguration] = Field(default_factory=list)

    def of_type(self, resource_type: str) -> list[SeededResource]:
        return [r for r in self.resources if r.type == resource_type]

    def by_name(self, name: str) -> SeededResource:
        for r in self.resources:
            if r.name == name:
                return r
        raise KeyError(name)

    def expected_findings(self) -> set[tuple[str, str]]:
        return {(m.rule_id, m.resource_id) for m in self.misconfigurations}


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


class _Seeder:
    def __init__(self, aws: AwsClients) -> None:
        self.aws = aws
        regions = aws.regions
        self.primary = regions[0]
        self.secondary = regions[1] if len(regions) > 1 else regions[0]
        account = aws.client("sts", self.primary).get_caller_identity()["Account"]
        self.manifest = SeedManifest(account_id=str(account), regions=list(dict.fromkeys(regions)))

    def add(self, type_: str, id_: str, name: str, region: str) -> str:
        self.manifest.resources.append(SeededResource(type=type_, id=id_, name=name, region=region))
        return id_

    def plant(self, rule_id: str, resource_id: str, region: str, note: str) -> None:
        self.manifest.misconfigurations.append(
            PlantedMisconfiguration(rule_id=rule_id, resource_id=resource_id, region=region, note=note)
        )

    # --- network ---------------------------------------------------------------------------

    def network(self, region: str, name: str, cidr: str, env: str) -> tuple[str, str, str]:
        """A VPC with a public and a private subnet; returns (vpc, public subnet, private subnet)."""
        ec2 = self.aws.client("ec2", region)
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
        ec2 = self.aws.client("ec2", region)
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
    ) -> str:
        ec2 = self.aws.client("ec2", region)
        inst = ec2.run_instances(
            ImageId=SANDBOX_AMI,
            MinCount=1,
            MaxCount=1,
            InstanceType=itype,
            SubnetId=subnet,
            SecurityGroupIds=groups,
            BlockDeviceMappings=[
                {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3", "Encrypted": True}}
            ],
            TagSpecifications=[{"ResourceType": "instance", "Tags": _tags(name, env, team, owner)}],
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
        ec2 = self.aws.client("ec2", region)
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

    def database(
        self,
        region: str,
        name: str,
        engine: str,
        public: bool,
        groups: list[str],
        env: str,
        team: str,
        multi_az: bool = False,
    ) -> str:
        rds = self.aws.client("rds", region)
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            Engine=engine,
            DBInstanceClass="db.t3.medium" if env == "prod" else "db.t3.micro",
            AllocatedStorage=100 if env == "prod" else 20,
            MasterUsername="acmeadmin",
            MasterUserPassword="sandbox-only-Pa55word",
            PubliclyAccessible=public,
            StorageEncrypted=True,
            MultiAZ=multi_az,
            VpcSecurityGroupIds=groups,
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
        policy: dict[str, Any] | None = None,
        versioning: bool = False,
    ) -> str:
        s3 = self.aws.client("s3", region)
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
        if policy:
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
        if block_public:
            s3.put_public_access_block(
                Bucket=name,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )
        return self.add("s3_bucket", name, name, region)

    def user(self, name: str, team: str, *, console: bool, mfa: bool, access_key: bool = False) -> str:
        iam = self.aws.client("iam", self.primary)
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
        if access_key:
            iam.create_access_key(UserName=name)
        return self.add("iam_user", name, name, "global")

    # --- the company -------------------------------------------------------------------------

    def run(self) -> SeedManifest:
        p, s = self.primary, self.secondary
        sg_rule = OpenAdminPorts.id

        # us-east-1: production web shop.
        vpc, pub, priv = self.network(p, "acme-prod", "10.10.0.0/16", "prod")
        web = self.security_group(
            p,
            vpc,
            "acme-web-alb",
            "Public load balancer",
            [_world(443, v6=True, desc="HTTPS"), _world(80, desc="HTTP")],
            "prod",
            "web",
        )
        app = self.security_group(
            p, vpc, "acme-app", "Application servers", [_from_group(8080, web, "from ALB")], "prod", "web"
        )
        db = self.security_group(
            p, vpc, "acme-db", "Databases", [_from_group(5432, app, "from app")], "prod", "data"
        )
        bastion = self.security_group(
            p, vpc, "acme-bastion", "Bastion host", [_world(22, desc="ssh")], "prod", "platform"
        )
        self.plant(sg_rule, bastion, p, "SSH open to 0.0.0.0/0")
        web1 = self.instance(p, "web-1", "t3.medium", priv, [app], "prod", "web", "jane.doe@acme.example")
        self.instance(p, "web-2", "t3.medium", priv, [app], "prod", "web", "jane.doe@acme.example")
        self.instance(p, "bastion-1", "t3.micro", pub, [bastion], "prod", "platform", "ops@acme.example")
        self.volume(p, "orders-data", 100, "gp3", True, "prod", "web", attach_to=web1)
        self.volume(p, "logs-archive", 500, "st1", True, "prod", "platform")
        legacy = self.volume(p, "legacy-backup", 200, "gp2", False, "prod", "platform")
        self.plant(UnencryptedVolume.id, legacy, p, "unencrypted, unattached backup volume")
        self.database(p, "orders-db", "postgres", False, [db], "prod", "data", multi_az=True)
        self.database(p, "analytics-db", "mysql", False, [db], "prod", "data")

        # eu-west-1: EU customers, a Windows jump host and some legacy.
        vpc, pub, priv = self.network(s, "acme-eu", "10.20.0.0/16", "prod")
        eu_web = self.security_group(
            s, vpc, "acme-eu-web", "EU web tier", [_world(443, desc="HTTPS")], "prod", "web"
        )
        self.security_group(
            s,
            vpc,
            "acme-eu-app",
            "EU application servers",
            [_from_group(8443, eu_web, "from web")],
            "prod",
            "web",
        )
        self.security_group(
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
        rdp = self.security_group(
            s, vpc, "acme-rdp-jump", "Windows jump host", [_world(3389, desc="rdp")], "prod", "it"
        )
        self.plant(sg_rule, rdp, s, "RDP open to 0.0.0.0/0")
        legacy_ssh = self.security_group(
            s,
            vpc,
            "acme-legacy-ssh",
            "Legacy ETL access",
            [_world(22, v4=False, v6=True, desc="ssh v6")],
            "staging",
            "data",
        )
        self.plant(sg_rule, legacy_ssh, s, "SSH open to ::/0")
        self.instance(s, "eu-web-1", "t3.small", priv, [eu_web], "prod", "web", "jane.doe@acme.example")
        self.instance(s, "win-jump-1", "t3.large", pub, [rdp], "prod", "it", "it@acme.example")
        self.instance(
            s, "etl-worker-1", "m5.large", priv, [legacy_ssh], "staging", "data", "li.wei@acme.example"
        )
        self.volume(s, "eu-customer-data", 250, "gp3", True, "prod", "data")
        scratch = self.volume(s, "etl-scratch", 50, "gp2", False, "dev", "data")
        self.plant(UnencryptedVolume.id, scratch, s, "unencrypted scratch volume")
        self.database(s, "customers-eu", "mysql", False, [], "prod", "data", multi_az=True)
        reporting = self.database(s, "reporting-eu", "postgres", True, [], "staging", "data")
        self.plant(PublicRdsInstance.id, reporting, s, "PubliclyAccessible=True")

        # S3 (names are global; buckets live in either region).
        self.bucket(p, "acme-prod-app-assets", "prod", "web", versioning=True)
        self.bucket(p, "acme-prod-logs", "prod", "platform", encryption="aws:kms")
        self.bucket(p, "acme-terraform-state", "prod", "platform", encryption="aws:kms", versioning=True)
        self.bucket(s, "acme-eu-customer-exports", "prod", "data", encryption="aws:kms")
        # Public ACL neutralised by Block Public Access: not a finding.
        self.bucket(p, "acme-static-cdn", "prod", "web", acl="public-read")
        # Principal "*" limited to a VPC endpoint: not public.
        self.bucket(
            s,
            "acme-eu-data-lake",
            "prod",
            "data",
            block_public=False,
            policy=_policy(
                "acme-eu-data-lake", "*", {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f6a7b8"}}
            ),
        )
        self.bucket(
            s,
            "acme-partner-share",
            "prod",
            "data",
            block_public=False,
            policy=_policy("acme-partner-share", {"AWS": "arn:aws:iam::210987654321:root"}),
        )
        public_site = self.bucket(
            p, "acme-public-website", "prod", "marketing", block_public=False, acl="public-read"
        )
        self.plant(PublicS3Bucket.id, public_site, p, "ACL public-read")
        downloads = self.bucket(
            s,
            "acme-marketing-downloads",
            "prod",
            "marketing",
            block_public=False,
            encryption=None,
            policy=_policy("acme-marketing-downloads", "*"),
        )
        self.plant(PublicS3Bucket.id, downloads, s, 'bucket policy Principal "*"')

        # IAM.
        self.user("alice.nguyen", "platform", console=True, mfa=True)
        self.user("bob.martin", "platform", console=True, mfa=True)
        self.user("carol.smith", "security", console=True, mfa=True)
        contractor = self.user("dave.contractor", "data", console=True, mfa=False)
        self.plant(ConsoleUserWithoutMfa.id, contractor, "global", "console password, no MFA")
        self.user("ci-deploy", "platform", console=False, mfa=False, access_key=True)
        self.user("svc-backup", "platform", console=False, mfa=False, access_key=True)

        self.aws.client("iam", p).create_account_alias(AccountAlias=SEED_MARKER_ALIAS)
        return self.manifest


def _policy(bucket: str, principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "Read",
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def is_seeded(aws: AwsClients) -> bool:
    aliases = aws.client("iam", aws.regions[0]).list_account_aliases().get("AccountAliases", [])
    return SEED_MARKER_ALIAS in aliases


def seed(aws: AwsClients) -> SeedManifest:
    """Create the sandbox company. Not idempotent on its own: check `is_seeded` first."""
    return _Seeder(aws).run()
