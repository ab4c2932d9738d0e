"""IAM user credentials (console password or access key) unused for 45 days or more.

Reads the normalised `iam_user` attributes console_access, password_last_used, created and
access_keys ([{id, status, created, last_used}]); ages are measured from observed_at.
A credential never used counts from its creation.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, SOC2, Rule, Severity, Violation, age_days

UNUSED_DAYS = 45


class UnusedCredentials(Rule):
    id: ClassVar[str] = "iam-user-unused-credentials"
    title: ClassVar[str] = "IAM credentials unused for 45 days"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "iam_user"
    description: ClassVar[str] = (
        "A console password or active access key has not been used for 45 days or more and is still enabled."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.12",),
        FSBP: ("IAM.22", "IAM.8"),
        PCI_DSS: ("8.2.6", "7.2.4"),
        SOC2: ("CC1.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "iam_user_accesskey_unused",
        "iam_user_console_access_unused",
    )
    remediation: ClassVar[str] = (
        "Deactivate the unused access key and remove the unused console password (delete the login "
        "profile); delete the user if nobody needs it any more."
    )
    remediation_action: ClassVar[str | None] = "deactivate_access_key"

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        stale: list[str] = []
        params: dict[str, str] = {}
        if attrs.get("console_access"):
            used = attrs.get("password_last_used")
            idle = age_days(resource, used or attrs.get("created"))
            if idle is not None and idle >= UNUSED_DAYS:
                stale.append(f"console password {'unused' if used else 'never used'} for {int(idle)} days")
        for key in attrs.get("access_keys") or []:
            if key.get("status") != "Active":
                continue
            used = key.get("last_used")
            idle = age_days(resource, used or key.get("created"))
            if idle is not None and idle >= UNUSED_DAYS:
                stale.append(
                    f"access key {key.get('id')} {'unused' if used else 'never used'} for {int(idle)} days"
                )
                params.setdefault("access_key_id", str(key.get("id")))
        if not stale:
            return None
        return Violation(detail=f"User {resource.name}: " + "; ".join(stale) + ".", remediation_params=params)
