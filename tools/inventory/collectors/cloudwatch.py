"""CloudWatch monitoring of the account's CloudTrail logs: metric filters and the alarms on them.

cloudwatch_account attributes: log_groups (the CloudWatch Logs groups that multi-region, logging
trails deliver to, as "region:name"), monitors ([{log_group, filter_name, pattern, metric_name,
namespace, alarms: [{name, actions}]}]) for every metric filter on those groups.
"""

from __future__ import annotations

from typing import Any

from tools.inventory.clients import AccountClients
from tools.inventory.collectors.cloudtrail import account_trails
from tools.inventory.resources import GLOBAL_REGION, Resource

ACCOUNT_ID = "cloudwatch-monitoring"


def log_group_of(arn: str) -> tuple[str, str] | None:
    """(region, group name) of a CloudWatch Logs group ARN such as
    arn:aws:logs:us-east-1:123456789012:log-group:trail-logs:*"""
    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group":
        return None
    return parts[3], parts[6]


def _monitors(aws: AccountClients, region: str, group: str) -> list[dict[str, Any]]:
    logs = aws.client("logs", region)
    cloudwatch = aws.client("cloudwatch", region)
    out: list[dict[str, Any]] = []
    for page in logs.get_paginator("describe_metric_filters").paginate(logGroupName=group):
        for f in page["metricFilters"]:
            for m in f.get("metricTransformations", []):
                alarms = cloudwatch.describe_alarms_for_metric(
                    MetricName=m["metricName"], Namespace=m["metricNamespace"]
                ).get("MetricAlarms", [])
                out.append(
                    {
                        "log_group": f"{region}:{group}",
                        "filter_name": f.get("filterName"),
                        "pattern": f.get("filterPattern", ""),
                        "metric_name": m["metricName"],
                        "namespace": m["metricNamespace"],
                        "alarms": [
                            {"name": a["AlarmName"], "actions": len(a.get("AlarmActions", []))}
                            for a in alarms
                        ],
                    }
                )
    return out


def collect_account(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    groups: list[tuple[str, str]] = []
    for trail in account_trails(aws):
        located = log_group_of(trail.get("cloudwatch_log_group_arn") or "")
        if trail["multi_region"] and trail["is_logging"] and located and located not in groups:
            groups.append(located)
    monitors = [m for r, g in groups for m in _monitors(aws, r, g)]
    return [
        Resource(
            type="cloudwatch_account",
            id=ACCOUNT_ID,
            name="CloudWatch alarms on CloudTrail events",
            region=GLOBAL_REGION,
            attributes={"log_groups": [f"{r}:{g}" for r, g in groups], "monitors": monitors},
        )
    ]
