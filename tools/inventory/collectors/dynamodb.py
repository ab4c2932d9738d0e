"""DynamoDB tables.

dynamodb_table attributes: status, billing_mode, item_count, pitr (point-in-time recovery on),
sse_type ("KMS" when a KMS key encrypts it; None for the AWS-owned key), kms_key_arn,
customer_managed_key (the KMS key is the customer's own, not aws/dynamodb; None when unknown),
deletion_protection.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource


def _customer_key(aws: AccountClients, region: str, key_arn: str | None) -> bool | None:
    if not key_arn:
        return False
    try:
        meta = aws.client("kms", region).describe_key(KeyId=key_arn)["KeyMetadata"]
    except ClientError:
        return None
    return bool(meta.get("KeyManager") == "CUSTOMER")


def _table(aws: AccountClients, ddb: Any, name: str, region: str) -> Resource:
    t = ddb.describe_table(TableName=name)["Table"]
    backups = ddb.describe_continuous_backups(TableName=name).get("ContinuousBackupsDescription", {})
    pitr = (backups.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
    sse = t.get("SSEDescription") or {}
    key = sse.get("KMSMasterKeyArn")
    return Resource(
        type="dynamodb_table",
        id=name,
        name=name,
        region=region,
        arn=t.get("TableArn"),
        attributes={
            "status": t.get("TableStatus"),
            "billing_mode": (t.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
            "item_count": t.get("ItemCount"),
            "pitr": pitr == "ENABLED",
            "sse_type": sse.get("SSEType") if sse.get("Status", "ENABLED") == "ENABLED" else None,
            "kms_key_arn": key,
            "customer_managed_key": _customer_key(aws, region, key),
            "deletion_protection": bool(t.get("DeletionProtectionEnabled")),
        },
    )


def collect_tables(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    ddb = aws.client("dynamodb", region)
    names: list[str] = []
    for page in ddb.get_paginator("list_tables").paginate():
        names.extend(page["TableNames"])
    if lookup:
        names = [n for n in names if n == lookup or lookup.endswith(f":table/{n}")]
    return [_table(aws, ddb, n, region) for n in names]
