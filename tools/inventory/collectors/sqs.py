"""SQS queues.

sqs_queue attributes: url, encryption ("sqs" for SSE-SQS, "kms" for SSE-KMS, None when off),
kms_key_id, policy (parsed; None without one), fifo.
"""

from __future__ import annotations

import json
from typing import Any

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource


def _queue(sqs: Any, url: str, region: str) -> Resource:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]).get("Attributes", {})
    name = url.rstrip("/").rsplit("/", 1)[-1]
    key = attrs.get("KmsMasterKeyId")
    encryption = "kms" if key else "sqs" if attrs.get("SqsManagedSseEnabled") == "true" else None
    return Resource(
        type="sqs_queue",
        id=name,
        name=name,
        region=region,
        arn=attrs.get("QueueArn"),
        attributes={
            "url": url,
            "encryption": encryption,
            "kms_key_id": key,
            "policy": json.loads(attrs["Policy"]) if attrs.get("Policy") else None,
            "fifo": attrs.get("FifoQueue") == "true",
        },
    )


def collect_queues(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    sqs = aws.client("sqs", region)
    urls: list[str] = []
    for page in sqs.get_paginator("list_queues").paginate():
        urls.extend(page.get("QueueUrls", []))
    if lookup:
        urls = [
            u
            for u in urls
            if u.rsplit("/", 1)[-1] == lookup or u == lookup or lookup.endswith(":" + u.rsplit("/", 1)[-1])
        ]
    return [_queue(sqs, u, region) for u in urls]
