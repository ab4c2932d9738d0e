"""Acme's production workloads, region by region: networks, security groups, hosts, disks and
databases, with the mistakes planted among them.

The primary region (us-east-1 in the demo) runs the web shop and is mostly right; the secondary
one (eu-west-1) serves EU customers and carries the legacy: open admin ports, public hosts,
unencrypted disks, a public database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.seeding import compute, identity, network, storage
from sandbox.seeding.account import SeedAccount
from tools.security.rules.ebs.public_snapshot import PublicSnapshot
from tools.security.rules.ebs.unencrypted_snapshot import UnencryptedSnapshot
from tools.security.rules.ebs.unencrypted_volume import UnencryptedVolume
from tools.security.rules.ec2.default_security_group import DefaultSecurityGroupOpen
from tools.security.rules.ec2.instance_detailed_monitoring import InstanceWithoutDetailedMonitoring
from tools.security.rules.ec2.instance_imdsv2 import InstanceWithoutImdsv2
from tools.security.rules.ec2.instance_profile_missing import InstanceWithoutProfile
from tools.security.rules.ec2.instance_public_ip import InstanceWithPublicIp
from tools.security.rules.ec2.instance_rdp_exposed import InstanceRdpExposed
from tools.security.rules.ec2.instance_ssh_exposed import InstanceSshExposed
from tools.security.rules.ec2.nacl_open_admin_ports import NaclOpenAdminPorts
from tools.security.rules.ec2.nacl_open_all_ports import NaclOpenAllPorts
from tools.security.rules.ec2.open_admin_ports import OpenAdminPorts
from tools.security.rules.ec2.open_database_ports import OpenDatabasePorts
from tools.security.rules.ec2.sg_open_ftp import SecurityGroupOpenFtp
from tools.security.rules.ec2.sg_open_high_risk_ports import SecurityGroupOpenHighRiskPorts
from tools.security.rules.ec2.sg_open_kafka import SecurityGroupOpenKafka
from tools.security.rules.ec2.sg_open_telnet import SecurityGroupOpenTelnet
from tools.security.rules.ec2.subnet_auto_public_ip import SubnetAutoPublicIp
from tools.security.rules.ec2.unattached_elastic_ip import UnattachedElasticIp
from tools.security.rules.ec2.vpc_flow_logs import VpcWithoutFlowLogs
from tools.security.rules.rds.backups import RdsBackupRetention
from tools.security.rules.rds.cloudwatch_logs import RdsWithoutLogExports
from tools.security.rules.rds.copy_tags_to_snapshot import RdsNoCopyTagsToSnapshot
from tools.security.rules.rds.default_admin import RdsDefaultAdminUser
from tools.security.rules.rds.default_port import RdsDefaultPort
from tools.security.rules.rds.deletion_protection import RdsDeletionProtection
from tools.security.rules.rds.deprecated_engine import RdsDeprecatedEngine
from tools.security.rules.rds.enhanced_monitoring import RdsWithoutEnhancedMonitoring
from tools.security.rules.rds.iam_authentication import RdsWithoutIamAuth
from tools.security.rules.rds.minor_version_upgrade import RdsMinorUpgradesOff
from tools.security.rules.rds.multi_az import RdsNotMultiAz
from tools.security.rules.rds.public_instance import PublicRdsInstance
from tools.security.rules.rds.public_snapshot import PublicRdsSnapshot
from tools.security.rules.rds.transport_encryption import RdsWithoutTransportEncryption
from tools.security.rules.rds.unencrypted_instance import UnencryptedRdsInstance
from tools.security.rules.rds.unencrypted_snapshot import UnencryptedRdsSnapshot
from tools.security.rules.s3.acls_enabled import BucketAclsEnabled
from tools.security.rules.s3.kms_encryption import BucketWithoutKms
from tools.security.rules.s3.object_lock import BucketWithoutObjectLock
from tools.security.rules.s3.server_access_logging import BucketWithoutAccessLogging


@dataclass(frozen=True)
class LogBuckets:
    # Flow logs, S3 access logs and AWS Config deliver here.
    logs: str
    # The organisation trail's bucket (its own access is logged to `logs`).
    trail: str
    # The bucket of the hand-made EU trail.
    eu_audit: str
    # S3 access logs of the secondary region's buckets.
    eu_logs: str


def logging_buckets(a: SeedAccount) -> LogBuckets:
    """First of all: everything else that logs delivers to these."""
    p, s = a.primary, a.secondary
    logs = storage.bucket(
        a,
        p,
        "acme-prod-logs",
        "prod",
        "platform",
        encryption="aws:kms",
        acl="log-delivery-write",
        object_lock=True,
    )
    a.plant(BucketAclsEnabled.id, logs, p, "ACL grants log delivery")
    a.plant(BucketWithoutAccessLogging.id, logs, p, "the log bucket's own access is not logged")
    trail_bucket = storage.bucket(
        a,
        p,
        "acme-cloudtrail-logs",
        "prod",
        "security",
        encryption="aws:kms",
        access_log_to=logs,
        object_lock=True,
    )
    eu_audit = storage.bucket(
        a, s, "acme-eu-audit-logs", "prod", "security", encryption="aws:kms", object_lock=True
    )
    a.plant(BucketWithoutAccessLogging.id, eu_audit, s, "set up by hand with the EU trail")
    # S3 server access logs go to a bucket in the same region, encrypted with SSE-S3.
    eu_logs = storage.bucket(a, s, "acme-eu-logs", "prod", "platform", acl="log-delivery-write")
    for bucket_rule, note in (
        (BucketAclsEnabled, "ACL grants log delivery"),
        (BucketWithoutAccessLogging, "the log bucket's own access is not logged"),
        (BucketWithoutKms, "SSE-S3, as log delivery requires"),
        (BucketWithoutObjectLock, "Object Lock off"),
    ):
        a.plant(bucket_rule.id, eu_logs, s, note)
    return LogBuckets(logs=logs, trail=trail_bucket, eu_audit=eu_audit, eu_logs=eu_logs)


def web_shop(a: SeedAccount, logs: str) -> dict[str, Any]:
    """The primary region: the production web shop. Returns where the savings additions run
    their instances (the web tier's private subnet, security group and instance profile, with
    detailed monitoring)."""
    p = a.primary
    admin_ports = OpenAdminPorts.id
    net = network.vpc(a, p, "acme-prod", "10.10.0.0/16", "prod", public_zones=("a", "c"))
    vpc, pub, priv = net.id, net.public[0], net.private
    network.flow_logs(a, p, vpc, logs)
    network.close_default_group(a, p, vpc)
    network.public_acl(a, p, vpc, "acme-prod-public-acl", "prod")
    instance_roles(a)
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
    web1 = compute.instance(
        a, p, "web-1", "t3.medium", priv, [app], "prod", "web", "jane.doe@acme.example", profile=WEB_PROFILE
    )
    placement: dict[str, Any] = {
        "SubnetId": priv,
        "SecurityGroupIds": [app],
        "Monitoring": {"Enabled": True},
        "IamInstanceProfile": {"Name": WEB_PROFILE},
    }
    compute.instance(
        a, p, "web-2", "t3.medium", priv, [app], "prod", "web", "jane.doe@acme.example", profile=WEB_PROFILE
    )
    # In the public subnet, reached on its Elastic IP.
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
        imdsv2=False,
    )
    compute.address(a, p, "acme-bastion-eip", "platform", instance_id=bastion1)
    a.plant(InstanceWithPublicIp.id, bastion1, p, "bastion in a public subnet")
    a.plant(InstanceWithoutImdsv2.id, bastion1, p, "IMDSv1 still allowed")
    a.plant(InstanceSshExposed.id, bastion1, p, "public IP, and acme-bastion admits SSH from anywhere")
    a.plant(InstanceWithoutProfile.id, bastion1, p, "launched without an instance profile")
    orders = compute.volume(a, p, "orders-data", 100, "gp3", True, "prod", "web", attach_to=web1)
    compute.volume(a, p, "logs-archive", 500, "st1", True, "prod", "platform")
    legacy = compute.volume(a, p, "legacy-backup", 200, "gp2", False, "prod", "platform")
    a.plant(UnencryptedVolume.id, legacy, p, "unencrypted, unattached backup volume")
    compute.snapshot(a, p, orders, "orders-data-nightly", "web")
    legacy_snap = compute.snapshot(a, p, legacy, "legacy-backup-2019", "platform", public=True)
    a.plant(PublicSnapshot.id, legacy_snap, p, "shared with all AWS accounts")
    a.plant(UnencryptedSnapshot.id, legacy_snap, p, "snapshot of an unencrypted volume")
    orders_db = compute.database(
        a,
        p,
        "orders-db",
        "postgres",
        False,
        [db],
        "prod",
        "data",
        multi_az=True,
        backup_days=14,
        parameter_group=compute.tls_parameter_group(a, p, "postgres", compute.ENGINE_VERSIONS["postgres"]),
        monitoring_role=RDS_MONITORING_ROLE.format(account=a.id),
    )
    a.plant(RdsDefaultPort.id, orders_db, p, "PostgreSQL on 5432")
    compute.db_snapshot(a, p, orders_db, "orders-db-pre-upgrade")
    analytics = compute.database(
        a,
        p,
        "analytics-db",
        "mysql",
        False,
        [db],
        "prod",
        "data",
        deletion_protection=False,
        iam_auth=False,
        log_exports=False,
    )
    a.plant(RdsDeletionProtection.id, analytics, p, "deletion protection off")
    for rds_rule, note in (
        (RdsNotMultiAz, "single-AZ"),
        (RdsDefaultPort, "MySQL on 3306"),
        (RdsWithoutTransportEncryption, "default parameter group: TLS optional"),
        (RdsWithoutIamAuth, "password authentication only"),
        (RdsWithoutEnhancedMonitoring, "enhanced monitoring off"),
        (RdsWithoutLogExports, "no logs published"),
    ):
        a.plant(rds_rule.id, analytics, p, note)
    return placement


WEB_PROFILE = "acme-web"
ETL_PROFILE = "acme-etl"
RDS_MONITORING_ROLE = "arn:aws:iam::{account}:role/acme-rds-monitoring"


def instance_roles(a: SeedAccount) -> None:
    """The roles of the hosts (with their instance profiles) and of RDS enhanced monitoring."""
    for role_name, profile in (("acme-web-instance", WEB_PROFILE), ("acme-etl-instance", ETL_PROFILE)):
        identity.role(a, role_name, service="ec2.amazonaws.com")
        identity.instance_profile(a, profile, role_name)
    identity.role(a, "acme-rds-monitoring", service="monitoring.rds.amazonaws.com")


def eu_customers(a: SeedAccount) -> None:
    """The secondary region: EU customers, a Windows jump host and some legacy."""
    s = a.secondary
    admin_ports, db_ports = OpenAdminPorts.id, OpenDatabasePorts.id
    net = network.vpc(a, s, "acme-eu", "10.20.0.0/16", "prod", auto_public_ip=True, open_default_acl=True)
    vpc, pub, priv = net.id, net.public[0], net.private
    a.plant(VpcWithoutFlowLogs.id, vpc, s, "no flow log on the EU VPC")
    a.plant(SubnetAutoPublicIp.id, pub, s, "auto-assign public IPv4 on")
    a.plant(NaclOpenAdminPorts.id, net.default_acl, s, "default ACL: all traffic from 0.0.0.0/0")
    a.plant(NaclOpenAllPorts.id, net.default_acl, s, "default ACL: all traffic from 0.0.0.0/0")
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
    legacy_sg(a, s, vpc)
    compute.instance(
        a,
        s,
        "eu-web-1",
        "t3.small",
        priv,
        [eu_web],
        "prod",
        "web",
        "jane.doe@acme.example",
        profile=WEB_PROFILE,
    )
    # The public subnet gives it its address.
    jump = compute.instance(
        a, s, "win-jump-1", "t3.large", pub, [rdp], "prod", "it", "it@acme.example", monitoring=False
    )
    a.plant(InstanceWithPublicIp.id, jump, s, "jump host with a public IP")
    a.plant(InstanceRdpExposed.id, jump, s, "public IP, and acme-rdp-jump admits RDP from anywhere")
    a.plant(InstanceWithoutProfile.id, jump, s, "launched without an instance profile")
    a.plant(InstanceWithoutDetailedMonitoring.id, jump, s, "basic monitoring only")
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
        monitoring=False,
        profile=ETL_PROFILE,
    )
    a.plant(InstanceWithoutImdsv2.id, etl, s, "IMDSv1 still allowed")
    a.plant(InstanceWithoutDetailedMonitoring.id, etl, s, "basic monitoring only")
    spare = compute.address(a, s, "acme-eu-spare-ip", "it")
    a.plant(UnattachedElasticIp.id, spare, s, "allocated, never associated")
    compute.volume(a, s, "eu-customer-data", 250, "gp3", True, "prod", "data")
    scratch = compute.volume(a, s, "etl-scratch", 50, "gp2", False, "dev", "data")
    a.plant(UnencryptedVolume.id, scratch, s, "unencrypted scratch volume")
    compute.database(
        a,
        s,
        "customers-eu",
        "mysql",
        False,
        [],
        "prod",
        "data",
        multi_az=True,
        minor_upgrades=False,
        port=3307,
        parameter_group=compute.tls_parameter_group(a, s, "mysql", compute.ENGINE_VERSIONS["mysql"]),
        monitoring_role=RDS_MONITORING_ROLE.format(account=a.id),
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
        version="11.22",
        master_user="postgres",
        iam_auth=False,
        log_exports=False,
        copy_tags=False,
    )
    for rds_rule, note in (
        (PublicRdsInstance, "PubliclyAccessible=True"),
        (UnencryptedRdsInstance, "StorageEncrypted=False"),
        (RdsBackupRetention, "automated backups off"),
        (RdsDeletionProtection, "deletion protection off"),
        (RdsNotMultiAz, "single-AZ"),
        (RdsDefaultPort, "PostgreSQL on 5432"),
        (RdsDeprecatedEngine, "PostgreSQL 11, past standard support"),
        (RdsDefaultAdminUser, 'master user "postgres"'),
        (RdsWithoutTransportEncryption, "default parameter group: TLS optional"),
        (RdsWithoutIamAuth, "password authentication only"),
        (RdsWithoutEnhancedMonitoring, "enhanced monitoring off"),
        (RdsWithoutLogExports, "no logs published"),
        (RdsNoCopyTagsToSnapshot, "snapshots lose the tags"),
    ):
        a.plant(rds_rule.id, reporting, s, note)
    archive = compute.db_snapshot(a, s, reporting, "reporting-eu-2023-archive", public=True)
    a.plant(PublicRdsSnapshot.id, archive, s, "restorable by any AWS account")
    a.plant(UnencryptedRdsSnapshot.id, archive, s, "snapshot of an unencrypted instance")


def legacy_sg(a: SeedAccount, s: str, vpc: str) -> None:
    """Security groups of the EU legacy hosts: an FTP server, a Kafka broker and a mail relay."""
    ftp = network.security_group(
        a,
        s,
        vpc,
        "acme-eu-legacy-ftp",
        "Partner file drop (FTP)",
        [
            {"IpProtocol": "tcp", "FromPort": 20, "ToPort": 21, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            network.world(23, desc="telnet for the old admin console"),
        ],
        "prod",
        "it",
    )
    a.plant(SecurityGroupOpenFtp.id, ftp, s, "FTP (20-21) open to 0.0.0.0/0")
    a.plant(SecurityGroupOpenTelnet.id, ftp, s, "Telnet open to 0.0.0.0/0")
    kafka = network.security_group(
        a,
        s,
        vpc,
        "acme-eu-kafka",
        "Event stream brokers",
        [network.world(9092, desc="kafka")],
        "staging",
        "data",
    )
    a.plant(SecurityGroupOpenKafka.id, kafka, s, "Kafka open to 0.0.0.0/0")
    relay = network.security_group(
        a, s, vpc, "acme-eu-mail-relay", "Outbound mail relay", [network.world(25, desc="smtp")], "prod", "it"
    )
    a.plant(SecurityGroupOpenHighRiskPorts.id, relay, s, "SMTP open to 0.0.0.0/0")
