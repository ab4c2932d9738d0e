"""RDS DB instances.

rds_instance attributes: engine, engine_version, instance_class, status, publicly_accessible,
storage_encrypted, multi_az, allocated_storage_gb, endpoint, port, vpc_security_groups,
backup_retention_period (days; 0 = automated backups off), deletion_protection,
auto_minor_version_upgrade, iam_database_authentication_enabled, master_username,
monitoring_interval (seconds; 0 = enhanced monitoring off), copy_tags_to_snapshot,
cloudwatch_logs_exports (log types published to CloudWatch Logs), parameter_groups (names),
transport_encryption_required (the parameter group forces TLS: rds.force_ssl = 1 for PostgreSQL
and SQL Server, require_secure_transport = ON/1 for MySQL and MariaDB; None for engines without
such a parameter or when the groups could not be read).
rds_snapshot attributes: instance, engine, encrypted, public (restorable by all accounts),
snapshot_type, created.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource, tags_dict

# The parameter that forces TLS, per engine family, and the values that turn it on.
_TLS_PARAMETERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "postgres": ("rds.force_ssl", ("1", "true", "on")),
    "sqlserver": ("rds.force_ssl", ("1", "true", "on")),
    "mysql": ("require_secure_transport", ("1", "on", "true")),
    "mariadb": ("require_secure_transport", ("1", "on", "true")),
}


def tls_parameter(engine: str | None) -> tuple[str, tuple[str, ...]] | None:
    engine = (engine or "").lower()
    for family, parameter in _TLS_PARAMETERS.items():
        if engine.startswith(family) or (family == "postgres" and "postgresql" in engine):
            return parameter
    return None


def _forces_tls(
    rds: Any, engine: str | None, groups: list[str], cache: dict[str, bool | None]
) -> bool | None:
    parameter = tls_parameter(engine)
    if parameter is None or not groups:
        return None
    name, on = parameter
    for group in groups:
        if group not in cache:
            value = None
            try:
                for page in rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=group):
                    for p in page.get("Parameters", []):
                        if p.get("ParameterName") == name:
                            value = str(p.get("ParameterValue", "")).lower()
            except ClientError:
                cache[group] = None
                continue
            cache[group] = value in on
        if cache[group]:
            return True
    return False if all(cache.get(g) is not None for g in groups) else None


def _db_resource(db: dict[str, Any], region: str, tls: bool | None = None) -> Resource:
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
            "master_username": db.get("MasterUsername"),
            "monitoring_interval": int(db.get("MonitoringInterval") or 0),
            "copy_tags_to_snapshot": bool(db.get("CopyTagsToSnapshot")),
            "cloudwatch_logs_exports": list(db.get("EnabledCloudwatchLogsExports") or []),
            "parameter_groups": [g["DBParameterGroupName"] for g in db.get("DBParameterGroups", [])],
            "transport_encryption_required": tls,
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
        return [_with_tls(rds, db, region, {}) for db in found]
    cache: dict[str, bool | None] = {}
    for page in rds.get_paginator("describe_db_instances").paginate():
        out.extend(_with_tls(rds, db, region, cache) for db in page["DBInstances"])
    return out


def _with_tls(rds: Any, db: dict[str, Any], region: str, cache: dict[str, bool | None]) -> Resource:
    groups = [g["DBParameterGroupName"] for g in db.get("DBParameterGroups", [])]
    return _db_resource(db, region, _forces_tls(rds, db.get("Engine"), groups, cache))


def collect_db_snapshots(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    """Manual snapshots (automated ones cannot be shared)."""
    assert region is not None
    rds = aws.client("rds", region)
    out: list[Resource] = []
    for page in rds.get_paginator("describe_db_snapshots").paginate(SnapshotType="manual"):
        for snap in page["DBSnapshots"]:
            ident = snap["DBSnapshotIdentifier"]
            if lookup and lookup not in (ident, snap.get("DBSnapshotArn")):
                continue
            attrs = rds.describe_db_snapshot_attributes(DBSnapshotIdentifier=ident)
            restore = [
                a
                for a in attrs.get("DBSnapshotAttributesResult", {}).get("DBSnapshotAttributes", [])
                if a.get("AttributeName") == "restore"
            ]
            created = snap.get("SnapshotCreateTime")
            out.append(
                Resource(
                    type="rds_snapshot",
                    id=ident,
                    name=ident,
                    region=region,
                    arn=snap.get("DBSnapshotArn"),
                    attributes={
                        "instance": snap.get("DBInstanceIdentifier"),
                        "engine": snap.get("Engine"),
                        "encrypted": bool(snap.get("Encrypted")),
                        "public": any("all" in (a.get("AttributeValues") or []) for a in restore),
                        "snapshot_type": snap.get("SnapshotType"),
                        "created": created.isoformat() if created is not None else None,
                    },
                    tags=tags_dict(snap.get("TagList")),
                )
            )
    return out


def _valid_identifier(name: str) -> bool:
    return re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,62}", name) is not None and "--" not in name
