"""IAM user access key older than 90 days.

Reads the normalised `iam_user` attribute access_keys ([{id, status, created, last_used}]);
ages are measured from the resource's observed_at.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Rule, Severity, Violation, age_days

MAX_AGE_DAYS = 90


class AccessKeyNotRotated(Rule):
    id: ClassVar[str] = "iam-user-access-key-not-rotated"
    title: ClassVar[str] = "IAM access key not rotated in 90 days"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "iam_user"
    description: ClassVar[str] = "An active access key was created more than 90 days ago."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.14",),
        FSBP: ("IAM.3",),
        PCI_DSS: ("8.3.9", "8.6.3", "8.3.10.1"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_rotate_access_key_90_days",)
    remediation: ClassVar[str] = (
        "Create a second key, move the workload to it, then deactivate and delete the old key; better, "
        "replace long-lived keys with roles (instance profiles, IRSA, OIDC federation)."
    )
    remediation_action: ClassVar[str | None] = "deactivate_access_key"

    def evaluate(self, resource: Resource) -> Violation | None:
        old: list[tuple[str, int]] = []
        for key in resource.attributes.get("access_keys") or []:
            age = age_days(resource, key.get("created"))
            if key.get("status") == "Active" and age is not None and age > MAX_AGE_DAYS:
                old.append((str(key.get("id")), int(age)))
        if not old:
            return None
        old.sort(key=lambda k: -k[1])
        listed = ", ".join(f"{kid} ({days} days)" for kid, days in old)
        return Violation(
            detail=f"User {resource.name} has access keys older than {MAX_AGE_DAYS} days: {listed}.",
            remediation_params={"access_key_id": old[0][0]},
        )
