"""Acme's production workloads, region by region: networks, security groups, hosts, disks and
databases, with the mistakes planted among them.

The primary region (us-east-1 in the demo) runs the web shop and is mostly right; the secondary
one (eu-west-1) serves EU customers and carries the legacy: open admin ports, public hosts,
unencrypted disks, a public database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.seeding import compute, network, storage
from sandbox.seeding.account import SeedAccount
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
from tools.security.rules.rds.backups import RdsBackupRetention
from tools.security.rules.rds.deletion_protection import RdsDeletionProtection
from tools.security.rules.rds.minor_version_upgrade import RdsMinorUpgradesOff
from tools.security.rules.rds.public_instance import PublicRdsInstance
from tools.security.rules.rds.unencrypted_instance import UnencryptedRdsInstance


@dataclass(frozen=True)
class LogBuckets:
    # Flow logs, S3 access logs and AWS Config deliver here.
    logs: str
    # The organisation trail's bucket (its own access is logged to `logs`).
    trail: str
    # The bucket of the hand-made EU trail.
    eu_audit: str


def logging_buckets(a: SeedAccount) -> LogBuckets:
    """First of all: everything else that logs delivers to these."""
    p, s = a.primary, a.secondary
    logs = storage.bucket(
        a, p, "acme-prod-logs", "prod", "platform", encryption="aws:kms", acl="log-delivery-write"
    )
    trail_bucket = storage.bucket(a, p, "acme-cloudtrail-logs", "prod", "security", access_log_to=logs)
    eu_audit = storage.bucket(a, s, "acme-eu-audit-logs", "prod", "security", encryption="aws:kms")

    return LogBuckets(logs=logs, trail=trail_bucket, eu_audit=eu_audit)


def web_shop(a: SeedAccount, logs: str) -> dict[str, Any]:
    """The primary region: the production web shop. Returns where the savings additions run
    their instances (the web tier's private subnet and security group)."""
    p = a.primary
    admin_ports = OpenAdminPorts.id
    vpc, pub, priv = network.vpc(a, p, "acme-prod", "10.10.0.0/16", "prod")
    network.flow_logs(a, p, vpc, logs)
    network.close_default_group(a, p, vpc)
    web = network.security_group(
        a,
        p,
        vpc,
        "acme-web-alb",
        "Public load balancer",
        [network.world(443, v6=True, desc="HTTPS"), network.world(80, desc="HTTP")],
        "prod",
        "web",
    )
    app = network.security_group(
        a,
        p,
        vpc,
        "acme-app",
        "Application servers",
        [network.from_group(8080, web, "from ALB")],
        "prod",
        "web",
    )
    db = network.security_group(
        a, p, vpc, "acme-db", "Databases", [network.from_group(5432, app, "from app")], "prod", "data"
    )
    bastion = network.security_group(
        a, p, vpc, "acme-bastion", "Bastion host", [network.world(22, desc="ssh")], "prod", "platform"
    )
    a.plant(admin_ports, bastion, p, "SSH open to 0.0.0.0/0")
    web1 = compute.instance(a, p, "web-1", "t3.medium", priv, [app], "prod", "web", "jane.doe@acme.example")
    placement: dict[str, Any] = {"SubnetId": priv, "SecurityGroupIds": [app]}
    compute.instance(a, p, "web-2", "t3.medium", priv, [app], "prod", "web", "jane.doe@acme.example")
    bastion1 = compute.instance(
        a,
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
    compute.address(a, p, "acme-bastion-eip", "platform", instance_id=bastion1)
    orders = compute.volume(a, p, "orders-data", 100, "gp3", True, "prod", "web", attach_to=web1)
    compute.volume(a, p, "logs-archive", 500, "st1", True, "prod", "platform")
    legacy = compute.volume(a, p, "legacy-backup", 200, "gp2", False, "prod", "platform")
    a.plant(UnencryptedVolume.id, legacy, p, "unencrypted, unattached backup volume")
    compute.snapshot(a, p, orders, "orders-data-nightly", "web")
    legacy_snap = compute.snapshot(a, p, legacy, "legacy-backup-2019", "platform", public=True)
    a.plant(PublicSnapshot.id, legacy_snap, p, "shared with all AWS accounts")
    a.plant(UnencryptedSnapshot.id, legacy_snap, p, "snapshot of an unencrypted volume")
    compute.database(
        a, p, "orders-db", "postgres", False, [db], "prod", "data", multi_az=True, backup_days=14
    )
    analytics = compute.database(
        a, p, "analytics-db", "mysql", False, [db], "prod", "data", deletion_protection=False
    )
    a.plant(RdsDeletionProtection.id, analytics, p, "deletion protection off")
    return placement


def eu_customers(a: SeedAccount) -> None:
    """The secondary region: EU customers, a Windows jump host and some legacy."""
    s = a.secondary
    admin_ports, db_ports = OpenAdminPorts.id, OpenDatabasePorts.id
    vpc, pub, priv = network.vpc(a, s, "acme-eu", "10.20.0.0/16", "prod")
    a.plant(VpcWithoutFlowLogs.id, vpc, s, "no flow log on the EU VPC")
    eu_default = a.add("security_group", network.default_group(a, s, vpc), "default", s)
    a.plant(DefaultSecurityGroupOpen.id, eu_default, s, "default group keeps its rules")
    eu_web = network.security_group(
        a, s, vpc, "acme-eu-web", "EU web tier", [network.world(443, desc="HTTPS")], "prod", "web"
    )
    network.security_group(
        a,
        s,
        vpc,
        "acme-eu-app",
        "EU application servers",
        [network.from_group(8443, eu_web, "from web")],
        "prod",
        "web",
    )
    network.security_group(
        a,
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
    rdp = network.security_group(
        a, s, vpc, "acme-rdp-jump", "Windows jump host", [network.world(3389, desc="rdp")], "prod", "it"
    )
    a.plant(admin_ports, rdp, s, "RDP open to 0.0.0.0/0")
    legacy_ssh = network.security_group(
        a,
        s,
        vpc,
        "acme-legacy-ssh",
        "Legacy ETL access",
        [network.world(22, v4=False, v6=True, desc="ssh v6")],
        "staging",
        "data",
    )
    a.plant(admin_ports, legacy_ssh, s, "SSH open to ::/0")
    legacy_db = network.security_group(
        a,
        s,
        vpc,
        "acme-legacy-db",
        "Old reporting database",
        [network.world(5432, desc="psql")],
        "staging",
        "data",
    )
    a.plant(db_ports, legacy_db, s, "PostgreSQL open to 0.0.0.0/0")
    compute.instance(a, s, "eu-web-1", "t3.small", priv, [eu_web], "prod", "web", "jane.doe@acme.example")
    jump = compute.instance(
        a, s, "win-jump-1", "t3.large", pub, [rdp], "prod", "it", "it@acme.example", public=True
    )
    a.plant(InstanceWithPublicIp.id, jump, s, "jump host with a public IP")
    etl = compute.instance(
        a,
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
    spare = compute.address(a, s, "acme-eu-spare-ip", "it")
    a.plant(UnattachedElasticIp.id, spare, s, "allocated, never associated")
    compute.volume(a, s, "eu-customer-data", 250, "gp3", True, "prod", "data")
    scratch = compute.volume(a, s, "etl-scratch", 50, "gp2", False, "dev", "data")
    a.plant(UnencryptedVolume.id, scratch, s, "unencrypted scratch volume")
    compute.database(
        a, s, "customers-eu", "mysql", False, [], "prod", "data", multi_az=True, minor_upgrades=False
    )
    a.plant(RdsMinorUpgradesOff.id, "customers-eu", s, "auto minor version upgrade off")
    reporting = compute.database(
        a,
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
