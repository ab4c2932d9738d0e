"""EFS file system is stored in one Availability Zone.

A One Zone file system is lost with its Availability Zone.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import Severity
from tools.security.rule_kinds import SettingRule


class OneZoneFileSystem(SettingRule):
    id: ClassVar[str] = "efs-one-zone"
    title: ClassVar[str] = "EFS file system is stored in one Availability Zone"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "efs_file_system"
    description: ClassVar[str] = "A One Zone file system is lost with its Availability Zone."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("efs_multi_az_enabled",)
    remediation: ClassVar[str] = (
        "Use a Regional (multi-AZ) file system for data that must survive a zone failure."
    )
    attribute: ClassVar[str] = "one_zone"
    passing: ClassVar[tuple[object, ...]] = (False,)
    failure: ClassVar[str] = "File system {name} is a One Zone file system."
