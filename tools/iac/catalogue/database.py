"""RDS PostgreSQL: multi-AZ, encrypted, private, with the master password in Secrets Manager."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from pydantic import Field, field_validator

from tools.iac import yamlout
from tools.iac.catalogue.aws import (
    cfn_document,
    cfn_output,
    cfn_tags,
    cmk_cfn,
    cmk_tf,
    output,
    resource,
    tf_document,
    tf_header,
    variable,
)
from tools.iac.catalogue.base import NAME_PATTERN, AwsParams, Template, aws_common, first_name, pick
from tools.iac.features import Features
from tools.iac.hcl import Block, ref
from tools.iac.model import IacFormat

# Newest minor release of each supported major version (RDS, late 2026). CloudFormation needs a
# minor version (a bare major is refused as deprecated); Terraform takes the major and lets
# auto minor upgrades move it without a diff.
LATEST_MINOR = {"14": "14.24", "15": "15.19", "16": "16.15", "17": "17.11", "18": "18.6"}
SUPPORTED_MAJORS = tuple(LATEST_MINOR)


class RdsParams(AwsParams):
    identifier: str = Field(default="app-db", pattern=NAME_PATTERN)
    engine_version: str = "17"
    instance_class: str = Field(default="db.t4g.medium", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")
    allocated_storage_gb: int = Field(default=50, ge=20, le=65536)
    max_allocated_storage_gb: int = Field(default=200, ge=20, le=65536)
    multi_az: bool = True
    backup_retention_days: int = Field(default=7, ge=1, le=35)
    db_name: str = Field(default="app", pattern=r"^[a-z][a-z0-9_]{0,62}$")
    # Who may connect on 5432: the VPC's range by default.
    allowed_cidr: str = "10.0.0.0/16"

    @field_validator("engine_version")
    @classmethod
    def _version(cls, v: str) -> str:
        major = v.split(".")[0]
        if major not in SUPPORTED_MAJORS:
            raise ValueError(f"PostgreSQL {v} is not offered; use one of {', '.join(SUPPORTED_MAJORS)}")
        return major

    @field_validator("allowed_cidr")
    @classmethod
    def _private(cls, v: str) -> str:
        net = ipaddress.ip_network(v, strict=True)
        if not net.is_private:
            raise ValueError(
                f"{v} is not a private range: the database is only reachable from inside the network"
            )
        return v


def _rds_extract(f: Features) -> dict[str, Any]:
    storage = f.size_gb
    m = re.search(r"\b(?:database|db)\s+(?:name\s+)?(?:named|called)\s+([a-z][a-z0-9_]*)", f.lower)
    return pick(
        identifier=first_name(f, "database", "instance", "db"),
        engine_version=f.versions.get("postgres"),
        instance_class=f.db_class,
        allocated_storage_gb=storage,
        max_allocated_storage_gb=f.max_size_gb or (max(storage * 4, 200) if storage else None),
        multi_az=False
        if f.has(r"\b(?:single[\s-]az|no\s+multi[\s-]?az|without\s+multi[\s-]?az)\b")
        else None,
        backup_retention_days=f.days if f.days and f.days <= 35 else None,
        db_name=m.group(1) if m else None,
        allowed_cidr=next((c for c in f.cidrs if ipaddress.ip_network(c, strict=False).is_private), None),
        **aws_common(f),
    )


def _rds_render(p: RdsParams, fmt: IacFormat) -> str:
    family = f"postgres{p.engine_version}"
    if fmt == "terraform":
        blocks = tf_header(p) + [
            variable("vpc_id", "string", None, "VPC of the database."),
            variable("private_subnet_ids", "list(string)", None, "Private subnets (two or more zones)."),
            resource(
                "aws_db_subnet_group",
                "this",
                ("name", p.identifier),
                ("subnet_ids", ref("var.private_subnet_ids")),
            ),
            resource(
                "aws_security_group",
                "db",
                ("name", f"{p.identifier}-db"),
                ("description", f"{p.identifier}: PostgreSQL from inside the network"),
                ("vpc_id", ref("var.vpc_id")),
            ),
            resource(
                "aws_vpc_security_group_ingress_rule",
                "postgres",
                ("security_group_id", ref("aws_security_group.db.id")),
                ("description", "PostgreSQL from the application network"),
                ("ip_protocol", "tcp"),
                ("from_port", 5432),
                ("to_port", 5432),
                ("cidr_ipv4", p.allowed_cidr),
            ),
            resource(
                "aws_db_parameter_group",
                "this",
                ("name", f"{p.identifier}-{family}"),
                ("family", family),
                Block("parameter", body=[("name", "rds.force_ssl"), ("value", "1")]),
                Block("parameter", body=[("name", "log_min_duration_statement"), ("value", "1000")]),
            ),
            *cmk_tf("db", f"Encrypts the storage and Performance Insights of {p.identifier}"),
            resource(
                "aws_db_instance",
                "this",
                ("identifier", p.identifier),
                ("engine", "postgres"),
                ("engine_version", p.engine_version),
                ("instance_class", p.instance_class),
                ("db_name", p.db_name),
                ("username", "dbadmin"),
                # The password is generated and rotated by RDS in Secrets Manager: never in code or state.
                ("manage_master_user_password", True),
                ("allocated_storage", p.allocated_storage_gb),
                ("max_allocated_storage", max(p.max_allocated_storage_gb, p.allocated_storage_gb)),
                ("storage_type", "gp3"),
                ("storage_encrypted", True),
                ("kms_key_id", ref("aws_kms_key.db.arn")),
                ("multi_az", p.multi_az),
                ("publicly_accessible", False),
                ("db_subnet_group_name", ref("aws_db_subnet_group.this.name")),
                ("vpc_security_group_ids", [ref("aws_security_group.db.id")]),
                ("parameter_group_name", ref("aws_db_parameter_group.this.name")),
                ("iam_database_authentication_enabled", True),
                ("backup_retention_period", p.backup_retention_days),
                ("copy_tags_to_snapshot", True),
                ("deletion_protection", True),
                ("skip_final_snapshot", False),
                ("final_snapshot_identifier", f"{p.identifier}-final"),
                ("auto_minor_version_upgrade", True),
                ("performance_insights_enabled", True),
                ("performance_insights_kms_key_id", ref("aws_kms_key.db.arn")),
                ("enabled_cloudwatch_logs_exports", ["postgresql", "upgrade"]),
            ),
            output("endpoint", "aws_db_instance.this.address", "Host name of the database."),
            output(
                "master_secret_arn",
                "aws_db_instance.this.master_user_secret[0].secret_arn",
                "Secrets Manager secret holding the master password.",
            ),
        ]
        return tf_document(f"RDS PostgreSQL {p.engine_version} {p.identifier}", blocks)

    resources: dict[str, Any] = {
        "DatabaseKey": cmk_cfn(f"Encrypts the storage and Performance Insights of {p.identifier}"),
        "SubnetGroup": {
            "Type": "AWS::RDS::DBSubnetGroup",
            "Properties": {
                "DBSubnetGroupDescription": f"{p.identifier} subnets",
                "SubnetIds": yamlout.ref("PrivateSubnetIds"),
            },
        },
        "DatabaseSecurityGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": f"{p.identifier}: PostgreSQL from inside the network",
                "VpcId": yamlout.ref("VpcId"),
                "SecurityGroupIngress": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 5432,
                        "ToPort": 5432,
                        "CidrIp": p.allowed_cidr,
                        "Description": "PostgreSQL from the application network",
                    }
                ],
            },
        },
        "ParameterGroup": {
            "Type": "AWS::RDS::DBParameterGroup",
            "Properties": {
                "Description": f"{p.identifier} parameters",
                "Family": family,
                "Parameters": {"rds.force_ssl": "1", "log_min_duration_statement": "1000"},
            },
        },
        "Database": {
            "Type": "AWS::RDS::DBInstance",
            "DeletionPolicy": "Snapshot",
            "UpdateReplacePolicy": "Snapshot",
            "Properties": {
                "DBInstanceIdentifier": p.identifier,
                "Engine": "postgres",
                "EngineVersion": LATEST_MINOR[p.engine_version],
                "DBInstanceClass": p.instance_class,
                "DBName": p.db_name,
                "MasterUsername": "dbadmin",
                "ManageMasterUserPassword": True,
                "AllocatedStorage": str(p.allocated_storage_gb),
                "MaxAllocatedStorage": max(p.max_allocated_storage_gb, p.allocated_storage_gb),
                "StorageType": "gp3",
                "StorageEncrypted": True,
                "KmsKeyId": yamlout.get_att("DatabaseKey", "Arn"),
                "MultiAZ": p.multi_az,
                "PubliclyAccessible": False,
                "DBSubnetGroupName": yamlout.ref("SubnetGroup"),
                "VPCSecurityGroups": [yamlout.get_att("DatabaseSecurityGroup", "GroupId")],
                "DBParameterGroupName": yamlout.ref("ParameterGroup"),
                "EnableIAMDatabaseAuthentication": True,
                "BackupRetentionPeriod": p.backup_retention_days,
                "CopyTagsToSnapshot": True,
                "DeletionProtection": True,
                "AutoMinorVersionUpgrade": True,
                "EnablePerformanceInsights": True,
                "PerformanceInsightsKMSKeyId": yamlout.get_att("DatabaseKey", "Arn"),
                "EnableCloudwatchLogsExports": ["postgresql", "upgrade"],
                "Tags": cfn_tags(p.identifier),
            },
        },
    }
    return cfn_document(
        p,
        f"RDS PostgreSQL {p.engine_version} {p.identifier}.",
        {
            "VpcId": {"Type": "AWS::EC2::VPC::Id", "Description": "VPC of the database."},
            "PrivateSubnetIds": {
                "Type": "List<AWS::EC2::Subnet::Id>",
                "Description": "Private subnets (two or more zones).",
            },
        },
        resources,
        {
            "Endpoint": cfn_output(
                yamlout.get_att("Database", "Endpoint.Address"), "Host name of the database."
            ),
            "MasterSecretArn": cfn_output(
                yamlout.get_att("Database", "MasterUserSecret.SecretArn"),
                "Secrets Manager secret holding the master password.",
            ),
        },
    )


RDS_POSTGRES = Template(
    id="rds_postgres",
    title="RDS PostgreSQL (multi-AZ, encrypted, private)",
    formats=("terraform", "cloudformation"),
    params=RdsParams,
    patterns=(
        (r"\brds\b", 0.7),
        (r"\b(?:postgres(?:ql)?|pg)\b", 0.7),
        (r"\b(?:database|db)\b", 0.4),
        (r"\bmulti[\s-]?az\b", 0.3),
    ),
    extract=_rds_extract,
    render=_rds_render,
    design=(
        "Multi-AZ, storage and Performance Insights encrypted with a customer-managed key, not publicly "
        "accessible, "
        "reachable on 5432 only from the network range.",
        "The master password is generated and kept by RDS in Secrets Manager (never in code or state).",
        "TLS enforced (rds.force_ssl), IAM authentication on, "
        "7-day backups, deletion protection, a final snapshot.",
        "Storage autoscaling, Performance Insights and PostgreSQL logs exported to CloudWatch.",
    ),
    examples=("RDS Postgres multi-AZ encrypted",),
    variants=(
        {
            "identifier": "orders",
            "engine_version": "18",
            "instance_class": "db.r6g.large",
            "allocated_storage_gb": 200,
            "max_allocated_storage_gb": 1000,
            "backup_retention_days": 14,
            "allowed_cidr": "10.20.0.0/16",
        },
        {"multi_az": False, "engine_version": "15", "region": "eu-west-1"},
    ),
)
