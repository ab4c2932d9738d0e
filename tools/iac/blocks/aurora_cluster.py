"""Aurora cluster (PostgreSQL or MySQL), Serverless v2 by default: private, encrypted with the
shared CMK, master password managed by Secrets Manager, 7+ days of backups, deletion protection,
IAM authentication, two instances in different AZs, log exports."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource, retained
from tools.iac.blocks.rds_instance import db_subnet_and_sg, full_version, monitoring_role
from tools.iac.blocks.security_group import group_ref
from tools.iac.features import Features
from tools.iac.hcl import Block, ref

VERSIONS = {"aurora-postgresql": "17.7", "aurora-mysql": "8.0.mysql_aurora.3.10.2"}
LOGS = {"aurora-postgresql": ["postgresql"], "aurora-mysql": ["audit", "error", "slowquery"]}


class AuroraParams(BlockParams):
    name: str = Field(default="app-cluster", pattern=r"^[a-z][a-z0-9-]{0,62}$")
    engine: Literal["aurora-postgresql", "aurora-mysql"] = "aurora-postgresql"
    engine_version: str | None = Field(default=None, pattern=r"^[0-9a-z._]+$")
    serverless: bool = True
    min_acu: float = Field(default=0.5, ge=0, le=256)
    max_acu: float = Field(default=8, ge=1, le=256)
    instance_class: str = Field(default="db.r7g.large", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")
    instances: int = Field(default=2, ge=1, le=15)
    backup_days: int = Field(default=7, ge=1, le=35)
    database: str = Field(default="app", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,62}$")


class AuroraCluster(BlockSpec):
    kind: ClassVar[str] = "aurora_cluster"
    title: ClassVar[str] = "Aurora cluster"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\baurora(?:\s+(?:postgre(?:s|sql)|mysql))?(?:\s+serverless(?:\s+v2)?)?(?:\s+(?:cluster|database|db))?\b",
    )
    params_model: ClassVar[type[BlockParams]] = AuroraParams
    tf_type: ClassVar[str] = "aws_rds_cluster"
    cfn_type: ClassVar[str] = "AWS::RDS::DBCluster"
    design: ClassVar[tuple[str, ...]] = (
        "Aurora: Serverless v2 capacity, private, encrypted with the shared CMK, password managed by Secrets "
        "Manager, two instances in different AZs, 7+ days of backups, deletion protection, IAM auth.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {"read": ("rds-db:connect",), "write": ("rds-db:connect",)}

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "cluster")
        if name:
            out["name"] = name.lower()
        if re.search(r"\bmysql\b", text, re.I):
            out["engine"] = "aurora-mysql"
        m = re.search(r"\bpostgre(?:s|sql)\s*(?:version\s*|v)?(\d{2}(?:\.\d{1,2})?)\b", text, re.I)
        if m:
            out["engine_version"] = m.group(1)
        if re.search(r"\bprovisioned\b", text, re.I) or re.search(r"\bdb\.r\d", text, re.I):
            out["serverless"] = False
        m = re.search(r"\b(\d+(?:\.\d+)?)\s*(?:-|to)\s*(\d+(?:\.\d+)?)\s*acus?\b", text, re.I) or re.search(
            r"\bmin(?:imum)?\s+(\d+(?:\.\d+)?)\s*acus?.{0,20}?max(?:imum)?\s+(\d+(?:\.\d+)?)", text, re.I
        )
        if m:
            out["min_acu"], out["max_acu"] = float(m.group(1)), float(m.group(2))
        m = re.search(r"\b(db\.[a-z0-9]+\.[a-z0-9]+)\b", text, re.I)
        if m:
            out["instance_class"] = m.group(1).lower()
        m = re.search(r"\b(\d{1,2})\s+(?:instances|readers?|replicas)\b", text, re.I)
        if m:
            out["instances"] = int(m.group(1)) + (
                1 if "reader" in m.group(0).lower() or "replica" in m.group(0).lower() else 0
            )
        m = re.search(
            r"\b(\d{1,2})\s*days?\s+(?:of\s+)?(?:backups?|retention)|\bbackups?\s+(?:for\s+)?(\d{1,2})\s*days?",
            text,
            re.I,
        )
        if m:
            out["backup_days"] = int(m.group(1) or m.group(2))
        return out

    def _version(self, p: AuroraParams) -> str:
        return full_version(p.engine, p.engine_version) or VERSIONS[p.engine]

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: AuroraParams = u.params
        port = 5432 if p.engine == "aurora-postgresql" else 3306
        net, _ = db_subnet_and_sg(u, s, port, f"Aurora {p.name}")
        net += monitoring_role(u, s)[0]
        s.partition()
        cluster: list[Any] = [
            ("cluster_identifier", p.name),
            ("engine", p.engine),
            ("engine_mode", "provisioned"),
            ("engine_version", self._version(p)),
            ("database_name", p.database),
            ("master_username", "app_admin"),
            ("manage_master_user_password", True),
            ("master_user_secret_kms_key_id", s.key_arn()),
            ("port", port),
            ("db_subnet_group_name", ref(f"aws_db_subnet_group.{u.label}.name")),
            ("vpc_security_group_ids", [group_ref(s, f"{u.label}_db", f"{u.lid}DbSg")]),
            ("storage_encrypted", True),
            ("kms_key_id", s.key_arn()),
            ("iam_database_authentication_enabled", True),
            ("backup_retention_period", p.backup_days),
            ("deletion_protection", True),
            ("copy_tags_to_snapshot", True),
            ("skip_final_snapshot", False),
            ("final_snapshot_identifier", f"{p.name}-final"),
            ("enabled_cloudwatch_logs_exports", LOGS[p.engine]),
        ]
        if p.serverless:
            cluster.append(
                Block(
                    "serverlessv2_scaling_configuration",
                    body=[("min_capacity", p.min_acu), ("max_capacity", p.max_acu)],
                )
            )
        blocks = [
            *net,
            resource("aws_rds_cluster", u.label, *cluster),
            resource(
                "aws_rds_cluster_instance",
                u.label,
                ("count", p.instances),
                ("identifier", ref(f'"{p.name}-${{count.index + 1}}"')),
                ("cluster_identifier", ref(f"aws_rds_cluster.{u.label}.id")),
                ("instance_class", "db.serverless" if p.serverless else p.instance_class),
                ("engine", ref(f"aws_rds_cluster.{u.label}.engine")),
                ("engine_version", ref(f"aws_rds_cluster.{u.label}.engine_version")),
                ("db_subnet_group_name", ref(f"aws_db_subnet_group.{u.label}.name")),
                ("publicly_accessible", False),
                ("auto_minor_version_upgrade", True),
                ("performance_insights_enabled", True),
                ("performance_insights_kms_key_id", s.key_arn()),
                ("monitoring_interval", 60),
                ("monitoring_role_arn", s.role_arn(u)),
            ),
        ]
        s.output(f"{u.label}_endpoint", ref(f"aws_rds_cluster.{u.label}.endpoint"), "Writer endpoint.")
        s.output(
            f"{u.label}_master_secret",
            ref(f"aws_rds_cluster.{u.label}.master_user_secret[0].secret_arn"),
            "Secret holding the master password.",
        )
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: AuroraParams = u.params
        port = 5432 if p.engine == "aurora-postgresql" else 3306
        _, out = db_subnet_and_sg(u, s, port, f"Aurora {p.name}")
        out.update(monitoring_role(u, s)[1])
        props: dict[str, Any] = {
            "DBClusterIdentifier": p.name,
            "Engine": p.engine,
            "EngineVersion": self._version(p),
            "DatabaseName": p.database,
            "MasterUsername": "app_admin",
            "ManageMasterUserPassword": True,
            "MasterUserSecret": {"KmsKeyId": s.key_arn()},
            "Port": port,
            "DBSubnetGroupName": yamlout.ref(f"{u.lid}SubnetGroup"),
            "VpcSecurityGroupIds": [group_ref(s, f"{u.label}_db", f"{u.lid}DbSg")],
            "StorageEncrypted": True,
            "KmsKeyId": s.key_arn(),
            "EnableIAMDatabaseAuthentication": True,
            "BackupRetentionPeriod": p.backup_days,
            "DeletionProtection": True,
            "CopyTagsToSnapshot": True,
            "EnableCloudwatchLogsExports": LOGS[p.engine],
        }
        if p.serverless:
            props["ServerlessV2ScalingConfiguration"] = {"MinCapacity": p.min_acu, "MaxCapacity": p.max_acu}
        out[u.lid] = retained("AWS::RDS::DBCluster", props, "Snapshot")
        for i in range(p.instances):
            out[f"{u.lid}Instance{i + 1}"] = cfn(
                "AWS::RDS::DBInstance",
                {
                    "DBClusterIdentifier": yamlout.ref(u.lid),
                    "DBInstanceClass": "db.serverless" if p.serverless else p.instance_class,
                    "Engine": p.engine,
                    "DBSubnetGroupName": yamlout.ref(f"{u.lid}SubnetGroup"),
                    "PubliclyAccessible": False,
                    "AutoMinorVersionUpgrade": True,
                    "EnablePerformanceInsights": True,
                    "PerformanceInsightsKMSKeyId": s.key_arn(),
                    "MonitoringInterval": 60,
                    "MonitoringRoleArn": s.role_arn(u),
                },
            )
        s.output(f"{u.label}_endpoint", yamlout.get_att(u.lid, "Endpoint.Address"), "Writer endpoint.")
        return out
