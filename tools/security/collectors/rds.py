"""RDS DB instances.

rds_instance attributes: engine, engine_version, instance_class, status, publicly_accessible,
storage_encrypted, multi_az, allocated_storage_gb, endpoint, port, vpc_security_groups.
"""

from __future__ import annotations

from typing import Any

from tools.aws import AwsClients
from tools.security.resources import Resource, tags_dict


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
        },
        tags=tags_dict(db.get("TagList")),
    )


def collect_db_instances(aws: AwsClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    rds = aws.client("rds", region)
    out: list[Resource] = []
    for page in rds.get_paginator("describe_db_instances").paginate():
        out.extend(_db_resource(db, region) for db in page["DBInstances"])
    return out
