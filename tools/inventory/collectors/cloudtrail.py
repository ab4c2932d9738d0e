"""CloudTrail trails (listed in their home region) and the account's trail coverage.

cloudtrail_trail attributes: home_region, multi_region, is_logging, log_file_validation,
kms_key_id, s3_bucket, bucket_access_logging (server access logging on the trail's bucket; None
when the bucket could not be read, e.g. it lives in another account), cloudwatch_log_group_arn,
include_global_events, management_events ({read, write}: whether the trail records read-only and
write management events, from its event selectors or advanced event selectors; a trail with neither
configured records both, as AWS's default selector does), data_events ({s3_read, s3_write}: whether
S3 object-level read or write events are recorded for every bucket).
cloudtrail_account attributes: trails ([{name, arn, home_region, multi_region, is_logging,
cloudwatch_log_group_arn, management_events, data_events}]) for every trail that records the
account's primary region, the multi-region ones included.
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


def _selectors(aws: AccountClients, trail: dict[str, Any]) -> dict[str, Any]:
    home = trail.get("HomeRegion") or aws.regions[0]
    return dict(aws.client("cloudtrail", home).get_event_selectors(TrailName=trail["TrailARN"]))


def management_events(selectors: dict[str, Any]) -> dict[str, bool]:
    """Which management events (read-only, write) the trail's selectors record."""
    basic = selectors.get("EventSelectors") or []
    advanced = selectors.get("AdvancedEventSelectors") or []
    if not basic and not advanced:
        # AWS gives every trail a selector; none at all is its default: all management events.
        return {"read": True, "write": True}
    read = write = False
    for sel in basic:
        if not sel.get("IncludeManagementEvents", True):
            continue
        kind = sel.get("ReadWriteType", "All")
        read = read or kind in ("All", "ReadOnly")
        write = write or kind in ("All", "WriteOnly")
    for sel in advanced:
        fields = {f.get("Field"): f for f in sel.get("FieldSelectors", [])}
        if (fields.get("eventCategory") or {}).get("Equals") != ["Management"]:
            continue
        only = (fields.get("readOnly") or {}).get("Equals")
        read = read or only in (None, ["true"])
        write = write or only in (None, ["false"])
    return {"read": read, "write": write}


_S3_OBJECTS = ("arn:aws:s3", "arn:aws:s3:::")


def data_events(selectors: dict[str, Any]) -> dict[str, bool]:
    """Whether S3 object-level read and write events are recorded for all buckets."""
    read = write = False
    for sel in selectors.get("EventSelectors") or []:
        for res in sel.get("DataResources", []):
            if res.get("Type") == "AWS::S3::Object" and any(v in _S3_OBJECTS for v in res.get("Values", [])):
                kind = sel.get("ReadWriteType", "All")
                read = read or kind in ("All", "ReadOnly")
                write = write or kind in ("All", "WriteOnly")
    for sel in selectors.get("AdvancedEventSelectors") or []:
        fields = {f.get("Field"): f for f in sel.get("FieldSelectors", [])}
        if (fields.get("eventCategory") or {}).get("Equals") != ["Data"]:
            continue
        if (fields.get("resources.type") or {}).get("Equals") != ["AWS::S3::Object"]:
            continue
        if "resources.ARN" in fields:
            continue  # limited to some buckets
        only = (fields.get("readOnly") or {}).get("Equals")
        read = read or only in (None, ["true"])
        write = write or only in (None, ["false"])
    return {"s3_read": read, "s3_write": write}


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
        selectors = _selectors(aws, t)
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
                    "management_events": management_events(selectors),
                    "data_events": data_events(selectors),
                },
            )
        )
    return out


def account_trails(aws: AccountClients) -> list[dict[str, Any]]:
    """Trails that record the primary region: its own and every multi-region trail."""
    listed = aws.client("cloudtrail", aws.regions[0]).describe_trails(includeShadowTrails=True)
    out = []
    for t in listed.get("trailList", []):
        selectors = _selectors(aws, t)
        out.append(
            {
                "name": t["Name"],
                "arn": t.get("TrailARN"),
                "home_region": t.get("HomeRegion") or aws.regions[0],
                "multi_region": bool(t.get("IsMultiRegionTrail")),
                "is_logging": _logging(aws, t),
                "cloudwatch_log_group_arn": t.get("CloudWatchLogsLogGroupArn"),
                "management_events": management_events(selectors),
                "data_events": data_events(selectors),
            }
        )
    return out


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
