"""Regional threat-detection services, one settings resource per region each: GuardDuty, Security
Hub and IAM Access Analyzer.

guardduty_detector attributes: exists, detector_id, enabled (status ENABLED), s3_protection
(S3 data events monitored; None when the detector reports no data sources).
securityhub_hub attributes: enabled (the account is subscribed in the region), hub_arn.
access_analyzer attributes: analyzers ([{name, type, status}]), active (an ACTIVE analyzer exists),
active_findings (ACTIVE findings of the active analyzers; None when they were not counted).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource

GUARDDUTY_ID = "guardduty"
SECURITYHUB_ID = "securityhub"
ACCESS_ANALYZER_ID = "access-analyzer"


def _s3_protection(detector: dict[str, Any]) -> bool | None:
    for feature in detector.get("Features") or []:
        if feature.get("Name") == "S3_DATA_EVENTS":
            return bool(feature.get("Status") == "ENABLED")
    s3 = (detector.get("DataSources") or {}).get("S3Logs")
    return None if s3 is None else s3.get("Status") == "ENABLED"


def collect_guardduty(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    gd = aws.client("guardduty", region)
    ids = gd.list_detectors().get("DetectorIds", [])
    detector = gd.get_detector(DetectorId=ids[0]) if ids else {}
    return [
        Resource(
            type="guardduty_detector",
            id=GUARDDUTY_ID,
            name=f"GuardDuty ({region})",
            region=region,
            attributes={
                "exists": bool(ids),
                "detector_id": ids[0] if ids else None,
                "enabled": detector.get("Status") == "ENABLED",
                "s3_protection": _s3_protection(detector) if ids else None,
            },
        )
    ]


def collect_securityhub(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    try:
        hub: dict[str, Any] | None = aws.client("securityhub", region).describe_hub()
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("InvalidAccessException", "ResourceNotFoundException"):
            raise
        hub = None
    return [
        Resource(
            type="securityhub_hub",
            id=SECURITYHUB_ID,
            name=f"Security Hub ({region})",
            region=region,
            attributes={"enabled": hub is not None, "hub_arn": (hub or {}).get("HubArn")},
        )
    ]


def _active_findings(aa: Any, analyzers: list[dict[str, Any]]) -> int:
    total = 0
    for a in analyzers:
        for page in aa.get_paginator("list_findings_v2").paginate(
            analyzerArn=a["arn"], filter={"status": {"eq": ["ACTIVE"]}}
        ):
            total += len(page.get("findings", []))
    return total


def collect_access_analyzer(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    emulated = bool(aws.aws.endpoint_url)
    # Against an emulator, ask once: moto has no Access Analyzer, and retrying what it cannot
    # answer only delays the scan (8 adaptive retries took 8.5 s per region).
    aa = aws.client("accessanalyzer", region, attempts=1 if emulated else None)
    try:
        listed = []
        for page in aa.get_paginator("list_analyzers").paginate():
            listed.extend(page.get("analyzers", []))
    except (ClientError, EndpointConnectionError) as exc:
        # An emulator without Access Analyzer reports nothing rather than an analyzer that is
        # missing: in-process moto answers 404, moto's server a 500 (it finds no backend for the
        # service). A real endpoint's errors are raised.
        code = exc.response["Error"]["Code"] if isinstance(exc, ClientError) else ""
        if emulated and code in ("404", "500", "NotFound", "UnknownOperationException", ""):
            return []
        raise
    active = [a for a in listed if a.get("status") == "ACTIVE"]
    return [
        Resource(
            type="access_analyzer",
            id=ACCESS_ANALYZER_ID,
            name=f"IAM Access Analyzer ({region})",
            region=region,
            attributes={
                "analyzers": [
                    {"name": a.get("name"), "type": a.get("type"), "status": a.get("status")} for a in listed
                ],
                "active": bool(active),
                "active_findings": _active_findings(aa, active) if active else None,
            },
        )
    ]
