"""Secret resource policy allows anyone.

The secret's resource policy lets any principal read it without a source condition.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import Severity
from tools.security.rule_kinds import PublicPolicyRule


class PublicSecretPolicy(PublicPolicyRule):
    id: ClassVar[str] = "secretsmanager-public-policy"
    title: ClassVar[str] = "Secret resource policy allows anyone"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "secret"
    description: ClassVar[str] = (
        "The secret's resource policy lets any principal read it without a source condition."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("secretsmanager_not_publicly_accessible",)
    remediation: ClassVar[str] = (
        "Remove the public statement (aws secretsmanager delete-resource-policy) or limit it to "
        "your accounts."
    )
