"""IAM user with more than one active access key.

Reads the normalised `iam_user` attributes active_access_keys (int) and access_keys
([{id, status, created, last_used}]) to name the key to deactivate.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, Rule, Severity, Violation, parse_time


def _least_recent(keys: list[dict[str, Any]]) -> dict[str, Any]:
    """The key to retire first: the one used longest ago (never used counts as oldest), then the oldest."""

    def when(key: dict[str, Any]) -> tuple[float, float]:
        used, created = parse_time(key.get("last_used")), parse_time(key.get("created"))
        return (used.timestamp() if used else 0.0, created.timestamp() if created else 0.0)

    return min(keys, key=when)


class MultipleActiveAccessKeys(Rule):
    id: ClassVar[str] = "iam-user-multiple-active-keys"
    title: ClassVar[str] = "IAM user has more than one active access key"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "iam_user"
    description: ClassVar[str] = (
        "Two active keys double the credentials that can leak; outside a short rotation window one is "
        "usually forgotten."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.13",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_user_two_active_access_key",)
    remediation: ClassVar[str] = (
        "Finish the rotation: confirm which key the workload uses (IAM access key last used), then "
        "deactivate and later delete the other one."
    )
    remediation_action: ClassVar[str | None] = "deactivate_access_key"

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        active = [k for k in attrs.get("access_keys") or [] if k.get("status") == "Active"]
        count = len(active) if active else int(attrs.get("active_access_keys") or 0)
        if count <= 1:
            return None
        params = {"access_key_id": _least_recent(active)["id"]} if active else {}
        return Violation(
            detail=f"User {resource.name} has {count} active access keys.", remediation_params=params
        )
