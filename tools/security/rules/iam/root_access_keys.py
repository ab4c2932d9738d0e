"""The root user has access keys.

Reads the normalised `iam_root_user` attribute access_keys_present (bool).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Rule, Severity, Violation


class RootAccessKeys(Rule):
    id: ClassVar[str] = "iam-root-access-keys"
    title: ClassVar[str] = "Root user has access keys"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "iam_root_user"
    description: ClassVar[str] = (
        "Access keys on the root user give unrestricted, unscoped programmatic access to the whole "
        "account; a leaked key cannot be limited by any policy."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.4",),
        FSBP: ("IAM.4",),
        PCI_DSS: ("8.2.2", "7.2.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_no_root_access_key",)
    remediation: ClassVar[str] = (
        "Sign in as root, open Security credentials and delete the root access keys after moving any "
        "automation that uses them to IAM roles. Root credentials cannot be changed through the API."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        if not resource.attributes.get("access_keys_present"):
            return None
        return Violation(detail="The root user has at least one access key.")
