"""ECR repository has no lifecycle policy.

Old, unpatched images are never expired and can still be deployed.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, Severity
from tools.security.rule_kinds import SettingRule


class EcrWithoutLifecyclePolicy(SettingRule):
    id: ClassVar[str] = "ecr-repository-lifecycle-policy"
    title: ClassVar[str] = "ECR repository has no lifecycle policy"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "ecr_repository"
    description: ClassVar[str] = "Old, unpatched images are never expired and can still be deployed."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ECR.3",),
        PCI_DSS: ("10.5.1", "3.2.1", "3.3.1.1"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ecr_repositories_lifecycle_policy_enabled",)
    remediation: ClassVar[str] = "Add a lifecycle policy that expires untagged and old images."
    attribute: ClassVar[str] = "lifecycle_policy"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Repository {name} has no lifecycle policy."
