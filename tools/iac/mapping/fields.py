"""Resource attributes that Terraform and CloudFormation both spell out argument by argument,
as one table per resource type: our attribute -> (Terraform argument, CloudFormation property,
conversion, value when the argument is left out). Each mapper reads its own column, so the two
formats cannot drift apart on what a missing argument means."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tools.iac.mapping.common import as_int, truthy

Format = Literal["terraform", "cloudformation"]


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Field:
    terraform: str
    cloudformation: str
    convert: Callable[[Any], Any] = _same
    # Used when the argument is absent: the provider's own default, where it matters.
    default: Any = None


RDS_INSTANCE: dict[str, Field] = {
    "engine": Field("engine", "Engine"),
    "engine_version": Field("engine_version", "EngineVersion"),
    "instance_class": Field("instance_class", "DBInstanceClass"),
    "publicly_accessible": Field("publicly_accessible", "PubliclyAccessible", truthy),
    "storage_encrypted": Field("storage_encrypted", "StorageEncrypted", truthy),
    "multi_az": Field("multi_az", "MultiAZ", truthy),
    "allocated_storage_gb": Field("allocated_storage", "AllocatedStorage", as_int),
    "port": Field("port", "Port", as_int),
    # Both keep one day of backups when the retention period is left out.
    "backup_retention_period": Field("backup_retention_period", "BackupRetentionPeriod", as_int, 1),
    "deletion_protection": Field("deletion_protection", "DeletionProtection", truthy),
    "auto_minor_version_upgrade": Field(
        "auto_minor_version_upgrade", "AutoMinorVersionUpgrade", truthy, True
    ),
    "iam_database_authentication_enabled": Field(
        "iam_database_authentication_enabled", "EnableIAMDatabaseAuthentication", truthy
    ),
}

CLOUDTRAIL_TRAIL: dict[str, Field] = {
    "multi_region": Field("is_multi_region_trail", "IsMultiRegionTrail", truthy),
    "is_logging": Field("enable_logging", "IsLogging", truthy, True),
    "log_file_validation": Field("enable_log_file_validation", "EnableLogFileValidation", truthy),
    "kms_key_id": Field("kms_key_id", "KMSKeyId"),
    "cloudwatch_log_group_arn": Field("cloud_watch_logs_group_arn", "CloudWatchLogsLogGroupArn"),
    "include_global_events": Field(
        "include_global_service_events", "IncludeGlobalServiceEvents", truthy, True
    ),
}


def read(fields: Mapping[str, Field], values: Mapping[str, Any], fmt: Format) -> dict[str, Any]:
    """Our attributes from one resource's (already resolved) arguments."""
    out: dict[str, Any] = {}
    for attr, f in fields.items():
        key = f.terraform if fmt == "terraform" else f.cloudformation
        out[attr] = f.convert(values.get(key, f.default))
    return out
