"""SQS queue policy allows anyone.

The queue policy lets any principal send, read or delete messages without a source condition.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import Severity
from tools.security.rule_kinds import PublicPolicyRule


class PublicQueue(PublicPolicyRule):
    id: ClassVar[str] = "sqs-queue-public"
    title: ClassVar[str] = "SQS queue policy allows anyone"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "sqs_queue"
    description: ClassVar[str] = (
        "The queue policy lets any principal send, read or delete messages without a source condition."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("sqs_queues_not_publicly_accessible",)
    remediation: ClassVar[str] = (
        "Remove the public statement or limit it with aws:SourceArn / aws:SourceAccount."
    )
