"""SNS topic is not encrypted.

Messages published to the topic are stored without KMS encryption.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class UnencryptedTopic(Rule):
    id: ClassVar[str] = "sns-topic-unencrypted"
    title: ClassVar[str] = "SNS topic is not encrypted"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "sns_topic"
    description: ClassVar[str] = "Messages published to the topic are stored without KMS encryption."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("SNS.1",),
        PCI_DSS: ("3.5.1", "8.3.2"),
        SOC2: ("PI1.4",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("sns_topics_kms_encryption_at_rest_enabled",)
    remediation: ClassVar[str] = "Set a KMS key on the topic (attribute KmsMasterKeyId)."

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "kms_key_id" not in attrs or attrs["kms_key_id"]:
            return None
        return Violation(detail=f"Topic {resource.name} is not encrypted with KMS.")
