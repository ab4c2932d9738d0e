"""ECR images are not scanned on push.

New images are not scanned for vulnerabilities when pushed.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, Severity
from tools.security.rule_kinds import SettingRule


class EcrWithoutScanOnPush(SettingRule):
    id: ClassVar[str] = "ecr-repository-scan-on-push"
    title: ClassVar[str] = "ECR images are not scanned on push"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "ecr_repository"
    description: ClassVar[str] = "New images are not scanned for vulnerabilities when pushed."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("ECR.1",),
        PCI_DSS: ("11.3.1.2", "11.3.1.3", "11.3.1"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("ecr_repositories_scan_images_on_push_enabled",)
    remediation: ClassVar[str] = (
        "Enable scan on push (aws ecr put-image-scanning-configuration --image-scanning-"
        "configuration scanOnPush=true)."
    )
    remediation_action: ClassVar[str | None] = "enable_scan_on_push"
    attribute: ClassVar[str] = "scan_on_push"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Repository {name}: images are not scanned on push."
