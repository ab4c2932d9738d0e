"""S3 bucket has no lifecycle rule.

No enabled lifecycle rule expires or transitions objects, so old data and noncurrent versions pile
up.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation


class BucketWithoutLifecycle(Rule):
    id: ClassVar[str] = "s3-bucket-lifecycle"
    title: ClassVar[str] = "S3 bucket has no lifecycle rule"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        "No enabled lifecycle rule expires or transitions objects, so old data and noncurrent "
        "versions pile up."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("S3.13",),
        PCI_DSS: ("10.5.1", "3.2.1", "3.3.1.1"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_lifecycle_enabled",)
    remediation: ClassVar[str] = (
        "Add a lifecycle configuration that expires or archives objects and noncurrent versions."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        rules = resource.attributes.get("lifecycle_rules")
        if rules is None or rules > 0:
            return None
        return Violation(detail=f"Bucket {resource.name} has no enabled lifecycle rule.")
