"""SNS topic policy allows anyone.

The topic policy lets any principal publish or subscribe without a source condition.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, Severity
from tools.security.rule_kinds import PublicPolicyRule


class PublicTopic(PublicPolicyRule):
    id: ClassVar[str] = "sns-topic-public"
    title: ClassVar[str] = "SNS topic policy allows anyone"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "sns_topic"
    description: ClassVar[str] = (
        "The topic policy lets any principal publish or subscribe without a source condition."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("SNS.4",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("sns_topics_not_publicly_accessible",)
    remediation: ClassVar[str] = (
        "Remove the public statement or limit it with aws:SourceOwner / aws:SourceArn conditions."
    )
