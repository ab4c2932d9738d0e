"""SQS queue is not encrypted.

Messages are stored unencrypted at rest.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation


class UnencryptedQueue(Rule):
    id: ClassVar[str] = "sqs-queue-unencrypted"
    title: ClassVar[str] = "SQS queue is not encrypted"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "sqs_queue"
    description: ClassVar[str] = "Messages are stored unencrypted at rest."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("SQS.1",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("sqs_queues_server_side_encryption_enabled",)
    remediation: ClassVar[str] = (
        "Enable SSE-SQS or SSE-KMS on the queue (attribute SqsManagedSseEnabled or KmsMasterKeyId)."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "encryption" not in attrs or attrs["encryption"]:
            return None
        return Violation(detail=f"Queue {resource.name} is not encrypted at rest.")
