"""RDS instance (PostgreSQL, MySQL or MariaDB): private, encrypted with the shared CMK, a master
password managed by Secrets Manager (never in the code), Multi-AZ, 7+ days of backups, deletion
protection, IAM authentication, Performance Insights, TLS required by the parameter group."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource, retained
from tools.iac.blocks.security_group import group_ref, security_group
from tools.iac.features import Features
from tools.iac.hcl import Block, ref

Engine = Literal["postgres", "mysql", "mariadb"]
ENGINES: dict[str, tuple[str, int, str, str]] = {
    # engine -> (default version, port, parameter group family prefix, TLS parameter)
    "postgres": ("17.5", 5432, "postgres", "rds.force_ssl"),
    "mysql": ("8.4.7", 3306, "mysql", "require_secure_transport"),
    "mariadb": ("11.4.5", 3306, "mariadb", "require_secure_transport"),
}
LOG_EXPORTS = {
    "postgres": ["postgresql", "upgrade"],
    "mysql": ["error", "general", "slowquery"],
    "mariadb": ["error", "general", "slowquery"],
}


# A major version as people write it -> a current minor version CloudFormation accepts.
MINOR = {
    "postgres": {"13": "13.23", "14": "14.18", "15": "15.13", "16": "16.9", "17": "17.5"},
    "mysql": {"8": "8.0.46", "8.0": "8.0.46", "8.4": "8.4.7"},
    "mariadb": {"10.11": "10.11.11", "11": "11.4.5", "11.4": "11.4.5"},
    "aurora-postgresql": {"14": "14.17", "15": "15.10", "16": "16.9", "17": "17.7"},
    "aurora-mysql": {
        "8": "8.0.mysql_aurora.3.10.2",
        "8.0": "8.0.mysql_aurora.3.10.2",
        "3": "8.0.mysql_aurora.3.10.2",
    },
}


def full_version(engine: str, asked: str | None) -> str | None:
    if not asked:
        return None
    return MINOR.get(engine, {}).get(asked, asked)


def monitoring_role(u: Unit, s: Scene) -> tuple[list[Block], dict[str, Any]]:
    """The role RDS enhanced monitoring publishes OS metrics with."""
    return s.role(
        u,
        "monitoring.rds.amazonaws.com",
        [],
        [
            "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
        ],
    )


def engine_of(text: str) -> Engine | None:
    lower = text.lower()
    if re.search(r"\bmaria\s?db\b", lower):
        return "mariadb"
    if re.search(r"\bmysql\b", lower):
        return "mysql"
    if re.search(r"\bpostgre(?:s|sql)?\b|\bpg\b", lower):
        return "postgres"
    return None


def db_subnet_and_sg(u: Unit, s: Scene, port: int, what: str) -> tuple[list[Block], dict[str, Any]]:
    sg_tf, sg_cfn = security_group(
        s,
        f"{u.label}_db",
        f"{u.lid}DbSg",
        f"{what}: port {port} from the private network",
        [(port, s.client_cidr(), f"{what} from the private network")],
    )
    if s.fmt == "terraform":
        return [
            *sg_tf,
            resource(
                "aws_db_subnet_group",
                u.label,
                ("name_prefix", f"{u.params.name[:40]}-"),
                ("subnet_ids", s.private_subnets()),
            ),
        ], {}
    sg_cfn[f"{u.lid}SubnetGroup"] = cfn(
        "AWS::RDS::DBSubnetGroup",
        {"DBSubnetGroupDescription": f"{what} private subnets", "SubnetIds": s.private_subnets()},
    )
    return [], sg_cfn


class RdsParams(BlockParams):
    name: str = Field(default="app-db", pattern=r"^[a-z][a-z0-9-]{0,62}$")
    engine: Engine = "postgres"
    engine_version: str | None = Field(default=None, pattern=r"^\d+(?:\.\d+){0,2}$")
    instance_class: str = Field(default="db.t4g.medium", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")
    storage_gb: int = Field(default=50, ge=20, le=65536)
    backup_days: int = Field(default=7, ge=1, le=35)
    multi_az: bool = True
    database: str = Field(default="app", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,62}$")


class RdsInstance(BlockSpec):
    kind: ClassVar[str] = "rds_instance"
    title: ClassVar[str] = "RDS database instance"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\brds(?:\s+(?:postgre(?:s|sql)|mysql|maria\s?db))?(?:\s+(?:database|db|instance))*\b",
        r"\b(?:postgre(?:s|sql)|mysql|maria\s?db)(?:\s+(?:rds|database|db|instance))+\b",
        r"\b(?:mysql|maria\s?db)\b",
    )
    params_model: ClassVar[type[BlockParams]] = RdsParams
    tf_type: ClassVar[str] = "aws_db_instance"
    cfn_type: ClassVar[str] = "AWS::RDS::DBInstance"
    design: ClassVar[tuple[str, ...]] = (
        "Database: private, encrypted with the shared CMK, password managed by Secrets Manager, Multi-AZ, "
        "7+ days of backups, deletion protection, IAM auth, TLS required.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {"read": ("rds-db:connect",), "write": ("rds-db:connect",)}

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "instance", "database", "db")
        if name:
            out["name"] = name.lower()
        engine = engine_of(text)
        if engine:
            out["engine"] = engine
        m = re.search(
            r"\b(?:postgre(?:s|sql)|mysql|maria\s?db)\s*(?:version\s*|v)?(\d{1,2}(?:\.\d{1,2}){0,2})\b",
            text,
            re.I,
        )
        if m:
            out["engine_version"] = m.group(1)
        m = re.search(r"\b(db\.[a-z0-9]+\.[a-z0-9]+)\b", text, re.I)
        if m:
            out["instance_class"] = m.group(1).lower()
        m = re.search(r"\b(\d{2,5})\s*(?:gb|gib)\b", text, re.I)
        if m:
            out["storage_gb"] = int(m.group(1))
        m = re.search(
            r"\b(\d{1,2})\s*days?\s+(?:of\s+)?(?:backups?|retention)|\bbackups?\s+(?:for\s+|retention\s+(?:of\s+)?)?(\d{1,2})\s*days?",
            text,
            re.I,
        )
        if m:
            out["backup_days"] = int(m.group(1) or m.group(2))
        if re.search(r"\bsingle[\s-]az\b|\bno\s+multi[\s-]az\b", text, re.I):
            out["multi_az"] = False
        return out

    def _version(self, p: RdsParams) -> str:
        return full_version(p.engine, p.engine_version) or ENGINES[p.engine][0]

    def _family(self, p: RdsParams) -> str:
        major = self._version(p).split(".")
        prefix = ENGINES[p.engine][2]
        return (
            f"{prefix}{major[0]}"
            if p.engine == "postgres"
            else f"{prefix}{major[0]}.{major[1] if len(major) > 1 else 0}"
        )

    def notes(self, u: Unit, s: Scene) -> list[str]:
        return [
            "The master password is generated and kept in Secrets Manager by RDS "
            "(ManageMasterUserPassword): it never appears in the code."
        ]

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: RdsParams = u.params
        _, port, _, tls = ENGINES[p.engine]
        net, _ = db_subnet_and_sg(u, s, port, f"{p.engine} {p.name}")
        s.partition()
        blocks = [
            *net,
            *monitoring_role(u, s)[0],
            resource(
                "aws_db_parameter_group",
                u.label,
                ("name_prefix", f"{p.name[:40]}-"),
                ("family", self._family(p)),
                Block("parameter", body=[("name", tls), ("value", "1")]),
                Block("lifecycle", body=[("create_before_destroy", True)]),
            ),
            resource(
                "aws_db_instance",
                u.label,
                ("identifier", p.name),
                ("engine", p.engine),
                ("engine_version", self._version(p)),
                ("instance_class", p.instance_class),
                ("allocated_storage", p.storage_gb),
                ("max_allocated_storage", p.storage_gb * 2),
                ("storage_type", "gp3"),
                ("storage_encrypted", True),
                ("kms_key_id", s.key_arn()),
                ("db_name", p.database),
                ("username", "app_admin"),
                ("manage_master_user_password", True),
                ("master_user_secret_kms_key_id", s.key_arn()),
                ("port", port),
                ("multi_az", p.multi_az),
                ("db_subnet_group_name", ref(f"aws_db_subnet_group.{u.label}.name")),
                ("vpc_security_group_ids", [group_ref(s, f"{u.label}_db", f"{u.lid}DbSg")]),
                ("parameter_group_name", ref(f"aws_db_parameter_group.{u.label}.name")),
                ("publicly_accessible", False),
                ("iam_database_authentication_enabled", True),
                ("backup_retention_period", p.backup_days),
                ("deletion_protection", True),
                ("skip_final_snapshot", False),
                ("final_snapshot_identifier", f"{p.name}-final"),
                ("copy_tags_to_snapshot", True),
                ("auto_minor_version_upgrade", True),
                ("performance_insights_enabled", True),
                ("performance_insights_kms_key_id", s.key_arn()),
                ("monitoring_interval", 60),
                ("monitoring_role_arn", s.role_arn(u)),
                ("enabled_cloudwatch_logs_exports", LOG_EXPORTS[p.engine]),
            ),
        ]
        s.output(f"{u.label}_endpoint", ref(f"aws_db_instance.{u.label}.address"), "Database endpoint.")
        s.output(
            f"{u.label}_master_secret",
            ref(f"aws_db_instance.{u.label}.master_user_secret[0].secret_arn"),
            "Secret holding the master password.",
        )
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: RdsParams = u.params
        _, port, _, tls = ENGINES[p.engine]
        _, out = db_subnet_and_sg(u, s, port, f"{p.engine} {p.name}")
        out.update(monitoring_role(u, s)[1])
        out[f"{u.lid}Params"] = cfn(
            "AWS::RDS::DBParameterGroup",
            {
                "Description": f"{p.name}: TLS required",
                "Family": self._family(p),
                "Parameters": {tls: "1"},
            },
        )
        out[u.lid] = retained(
            "AWS::RDS::DBInstance",
            {
                "DBInstanceIdentifier": p.name,
                "Engine": p.engine,
                "EngineVersion": self._version(p),
                "DBInstanceClass": p.instance_class,
                "AllocatedStorage": str(p.storage_gb),
                "MaxAllocatedStorage": p.storage_gb * 2,
                "StorageType": "gp3",
                "StorageEncrypted": True,
                "KmsKeyId": s.key_arn(),
                "DBName": p.database,
                "MasterUsername": "app_admin",
                "ManageMasterUserPassword": True,
                "MasterUserSecret": {"KmsKeyId": s.key_arn()},
                "Port": str(port),
                "MultiAZ": p.multi_az,
                "DBSubnetGroupName": yamlout.ref(f"{u.lid}SubnetGroup"),
                "VPCSecurityGroups": [group_ref(s, f"{u.label}_db", f"{u.lid}DbSg")],
                "DBParameterGroupName": yamlout.ref(f"{u.lid}Params"),
                "PubliclyAccessible": False,
                "EnableIAMDatabaseAuthentication": True,
                "BackupRetentionPeriod": p.backup_days,
                "DeletionProtection": True,
                "CopyTagsToSnapshot": True,
                "AutoMinorVersionUpgrade": True,
                "EnablePerformanceInsights": True,
                "PerformanceInsightsKMSKeyId": s.key_arn(),
                "MonitoringInterval": 60,
                "MonitoringRoleArn": s.role_arn(u),
                "EnableCloudwatchLogsExports": LOG_EXPORTS[p.engine],
            },
            "Snapshot",
        )
        s.output(f"{u.label}_endpoint", yamlout.get_att(u.lid, "Endpoint.Address"), "Database endpoint.")
        return out
