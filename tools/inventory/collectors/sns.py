"""SNS topics.

sns_topic attributes: kms_key_id (None when the topic is not encrypted), policy (parsed),
subscriptions_confirmed (count).
"""

from __future__ import annotations

import json
from typing import Any

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource


def _topic(sns: Any, arn: str, region: str) -> Resource:
    attrs = sns.get_topic_attributes(TopicArn=arn).get("Attributes", {})
    name = arn.rsplit(":", 1)[-1]
    return Resource(
        type="sns_topic",
        id=name,
        name=name,
        region=region,
        arn=arn,
        attributes={
            "kms_key_id": attrs.get("KmsMasterKeyId") or None,
            "policy": json.loads(attrs["Policy"]) if attrs.get("Policy") else None,
            "subscriptions_confirmed": int(attrs.get("SubscriptionsConfirmed") or 0),
        },
    )


def collect_topics(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    sns = aws.client("sns", region)
    arns: list[str] = []
    for page in sns.get_paginator("list_topics").paginate():
        arns.extend(t["TopicArn"] for t in page.get("Topics", []))
    if lookup:
        arns = [a for a in arns if lookup in (a, a.rsplit(":", 1)[-1])]
    return [_topic(sns, a, region) for a in arns]
