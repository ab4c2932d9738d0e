"""RDS snapshots do not inherit tags.

Snapshots are created without the instance's tags, so ownership and data classification are lost on
backups.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, SOC2, Severity
from tools.security.rule_kinds import SettingRule


class RdsNoCopyTagsToSnapshot(SettingRule):
    id: ClassVar[str] = "rds-instance-copy-tags-to-snapshot"
    title: ClassVar[str] = "RDS snapshots do not inherit tags"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = (
        "Snapshots are created without the instance's tags, so ownership and data classification "
        "are lost on backups."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.17",),
        SOC2: ("CC7.5",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_copy_tags_to_snapshots",)
    remediation: ClassVar[str] = "Enable CopyTagsToSnapshot on the instance."
    attribute: ClassVar[str] = "copy_tags_to_snapshot"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Instance {name}: snapshots do not copy its tags."
