"""KMS key whose key policy lets anyone use it.

Reads the normalised `kms_key` attribute policy (the key policy, parsed).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.exposure import public_policy_actions
from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation


class PublicKeyPolicy(Rule):
    id: ClassVar[str] = "kms-key-public-policy"
    title: ClassVar[str] = "KMS key policy allows everyone"
    severity: ClassVar[Severity] = Severity.CRITICAL
    resource_type: ClassVar[AnyResourceType] = "kms_key"
    description: ClassVar[str] = (
        'The key policy allows Principal "*" without a condition that limits callers to known accounts.'
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("KMS.5",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("kms_key_not_publicly_accessible",)
    remediation: ClassVar[str] = (
        'Replace Principal "*" with the accounts or roles that need the key, or add a condition such as '
        "aws:PrincipalOrgID."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        actions = public_policy_actions(resource.attributes.get("policy"))
        if not actions:
            return None
        return Violation(
            detail=f"Key {resource.name} allows " + ", ".join(sorted(set(actions))) + ' to Principal "*".'
        )
