"""ECR repository policy allows anyone.

The repository policy lets any principal pull (or push) images without a source condition.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import Severity
from tools.security.rule_kinds import PublicPolicyRule


class PublicEcrRepository(PublicPolicyRule):
    id: ClassVar[str] = "ecr-repository-public"
    title: ClassVar[str] = "ECR repository policy allows anyone"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "ecr_repository"
    description: ClassVar[str] = (
        "The repository policy lets any principal pull (or push) images without a source condition."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("ecr_repositories_not_publicly_accessible",)
    remediation: ClassVar[str] = (
        "Remove the public statement from the repository policy; use ECR Public for images meant "
        "to be public."
    )
