"""RDS DB instances.

rds_instance attributes: engine, engine_version, instance_class, status, publicly_accessible,
storage_encrypted, multi_az, allocated_storage_gb, endpoint, port, vpc_security_groups,
backup_retention_period (days; 0 = automated backups off), deletion_protection,
auto_minor_version_upgrade, iam_database_authentication_enabled.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource, tags_dict


def _db_resource(db: dict[str, Any], region: str) -> Resource:
    endpoint = db.get("Endpoint") or {}
    return Resource(
        type="rds_instance",
        id=db["DBInstanceIdentifier"],
        name=db["DBInstanceIdentifier"],
        region=region,
        arn=db.get("DBInstanceArn"),
        attributes={
            "engine": db.get("Engine"),
            "engine_version": db.get("EngineVersion"),
            "instance_class": db.get("DBInstanceClass"),
            "status": db.get("DBInstanceStatus"),
            "publicly_accessible": bool(db.get("PubliclyAccessible")),
            "storage_encrypted": bool(db.get("StorageEncrypted")),
            "multi_az": bool(db.get("MultiAZ")),
            "allocated_storage_gb": db.get("AllocatedStorage"),
            "endpoint": endpoint.get("Address"),
            "port": endpoint.get("Port"),
            "vpc_security_groups": [g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])],
            "backup_retention_period": db.get("BackupRetentionPeriod"),
            "deletion_protection": bool(db.get("DeletionProtection")),
            "auto_minor_version_upgrade": db.get("AutoMinorVersionUpgrade"),
            "iam_database_authentication_enabled": bool(db.get("IAMDatabaseAuthenticationEnabled")),
        },
        tags=tags_dict(db.get("TagList")),
    )


def collect_db_instances(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    rds = aws.client("rds", region)
    out: list[Resource] = []
    # Identifiers are unique per region, so a name lookup can ask for that instance only.
    ident = lookup.rsplit(":", 1)[-1] if lookup and lookup.startswith("arn:aws:rds:") else lookup
    if ident and _valid_identifier(ident):
        try:
            found = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "DBInstanceNotFound":
                return []
            raise
        return [_db_resource(db, region) for db in found]
    for page in rds.get_paginator("describe_db_instances").paginate():
        out.extend(_db_resource(db, region) for db in page["DBInstances"])
    return out


def _valid_identifier(name: str) -> bool:
    return re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,62}", name) is not None and "--" not in name
