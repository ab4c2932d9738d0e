"""S3 Object Lock is off.

Objects can be overwritten or deleted at any time; Object Lock keeps them immutable (WORM) against
ransomware and mistakes.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, SOC2, Severity
from tools.security.rule_kinds import SettingRule


class BucketWithoutObjectLock(SettingRule):
    id: ClassVar[str] = "s3-bucket-object-lock"
    title: ClassVar[str] = "S3 Object Lock is off"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        "Objects can be overwritten or deleted at any time; Object Lock keeps them immutable "
        "(WORM) against ransomware and mistakes."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("S3.15",),
        PCI_DSS: ("10.3.4",),
        SOC2: ("PI1.5",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_object_lock",)
    remediation: ClassVar[str] = (
        "Enable Object Lock with a default retention on buckets holding records and backups."
    )
    attribute: ClassVar[str] = "object_lock"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Bucket {name}: Object Lock is off."
