"""ECR image tags are mutable.

A tag can be moved to another image, so a deployment of "v1.2" may silently run different code.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, Severity
from tools.security.rule_kinds import SettingRule


class EcrMutableTags(SettingRule):
    id: ClassVar[str] = "ecr-repository-mutable-tags"
    title: ClassVar[str] = "ECR image tags are mutable"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "ecr_repository"
    description: ClassVar[str] = (
        'A tag can be moved to another image, so a deployment of "v1.2" may silently run different code.'
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ECR.2",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ecr_repositories_tag_immutability",)
    remediation: ClassVar[str] = "Set image tag mutability to IMMUTABLE."
    attribute: ClassVar[str] = "tag_immutability"
    passing: ClassVar[tuple[object, ...]] = ("IMMUTABLE",)
    failure: ClassVar[str] = "Repository {name}: tags are mutable."
