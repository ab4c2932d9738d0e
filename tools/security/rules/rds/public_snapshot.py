"""RDS snapshot is public.

The manual snapshot can be restored by any AWS account, exposing the whole database.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, Severity
from tools.security.rule_kinds import SettingRule


class PublicRdsSnapshot(SettingRule):
    id: ClassVar[str] = "rds-snapshot-public"
    title: ClassVar[str] = "RDS snapshot is public"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "rds_snapshot"
    description: ClassVar[str] = (
        "The manual snapshot can be restored by any AWS account, exposing the whole database."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.1",),
        PCI_DSS: ("10.3.2", "3.5.1.3", "A1.1.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_snapshots_public_access",)
    remediation: ClassVar[str] = (
        "Remove 'all' from the snapshot's restore attribute (aws rds modify-db-snapshot-attribute"
        " --values-to-remove all)."
    )
    attribute: ClassVar[str] = "public"
    passing: ClassVar[tuple[object, ...]] = (False,)
    failure: ClassVar[str] = "Snapshot {name} can be restored by any AWS account."
