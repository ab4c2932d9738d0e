"""EFS file system policy allows anyone.

The file system policy lets any principal mount or write it without a source condition.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import Severity
from tools.security.rule_kinds import PublicPolicyRule


class PublicFileSystemPolicy(PublicPolicyRule):
    id: ClassVar[str] = "efs-public-policy"
    title: ClassVar[str] = "EFS file system policy allows anyone"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "efs_file_system"
    description: ClassVar[str] = (
        "The file system policy lets any principal mount or write it without a source condition."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("efs_not_publicly_accessible",)
    remediation: ClassVar[str] = (
        "Limit the policy to your accounts or roles, and require elasticfilesystem:AccessedViaMountTarget."
    )
