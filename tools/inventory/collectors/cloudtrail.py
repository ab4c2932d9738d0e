"""CloudTrail trails (listed in their home region) and the account's trail coverage.

cloudtrail_trail attributes: home_region, multi_region, is_logging, log_file_validation,
kms_key_id, s3_bucket, bucket_access_logging (server access logging on the trail's bucket; None
when the bucket could not be read, e.g. it lives in another account), cloudwatch_log_group_arn,
include_global_events.
cloudtrail_account attributes: trails ([{name, arn, home_region, multi_region, is_logging,
cloudwatch_log_group_arn}]) for every trail that records the account's primary region, the
multi-region ones included.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import GLOBAL_REGION, Resource

ACCOUNT_ID = "cloudtrail"
_BUCKET_UNREADABLE = frozenset({"AccessDenied", "NoSuchBucket", "AllAccessDisabled"})


def _logging(aws: AccountClients, trail: dict[str, Any]) -> bool:
    home = trail.get("HomeRegion") or aws.regions[0]
    status = aws.client("cloudtrail", home).get_trail_status(Name=trail["TrailARN"])
    return bool(status.get("IsLogging"))


def _bucket_logging(aws: AccountClients, bucket: str | None, region: str) -> bool | None:
    if not bucket:
        return None
    try:
        return bool(aws.client("s3", region).get_bucket_logging(Bucket=bucket).get("LoggingEnabled"))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in _BUCKET_UNREADABLE:
            return None
        raise


def collect_trails(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    trails = aws.client("cloudtrail", region).describe_trails(includeShadowTrails=False).get("trailList", [])
    out: list[Resource] = []
    for t in trails:
        out.append(
            Resource(
                type="cloudtrail_trail",
                id=t["Name"],
                name=t["Name"],
                region=region,
                arn=t.get("TrailARN"),
                attributes={
                    "home_region": t.get("HomeRegion") or region,
                    "multi_region": bool(t.get("IsMultiRegionTrail")),
                    "is_logging": _logging(aws, t),
                    "log_file_validation": bool(t.get("LogFileValidationEnabled")),
                    "kms_key_id": t.get("KmsKeyId"),
                    "s3_bucket": t.get("S3BucketName"),
                    "bucket_access_logging": _bucket_logging(aws, t.get("S3BucketName"), region),
                    "cloudwatch_log_group_arn": t.get("CloudWatchLogsLogGroupArn"),
                    "include_global_events": bool(t.get("IncludeGlobalServiceEvents")),
                },
            )
        )
    return out


def account_trails(aws: AccountClients) -> list[dict[str, Any]]:
    """Trails that record the primary region: its own and every multi-region trail."""
    listed = aws.client("cloudtrail", aws.regions[0]).describe_trails(includeShadowTrails=True)
    return [
        {
            "name": t["Name"],
            "arn": t.get("TrailARN"),
            "home_region": t.get("HomeRegion") or aws.regions[0],
            "multi_region": bool(t.get("IsMultiRegionTrail")),
            "is_logging": _logging(aws, t),
            "cloudwatch_log_group_arn": t.get("CloudWatchLogsLogGroupArn"),
        }
        for t in listed.get("trailList", [])
    ]


def collect_account(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    return [
        Resource(
            type="cloudtrail_account",
            id=ACCOUNT_ID,
            name="CloudTrail coverage",
            region=GLOBAL_REGION,
            attributes={"trails": account_trails(aws)},
        )
    ]
