"""Role trusts an AWS service without limiting the source.

The role's trust policy lets an AWS service assume it without an aws:SourceAccount / aws:SourceArn
condition, so another account's use of that service could act through this role (confused deputy).
"""

from __future__ import annotations

import json
from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import Rule, Severity, Violation
from tools.security.rule_kinds import as_list, policy_statements

SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths")


class RoleServiceTrustWithoutSource(Rule):
    id: ClassVar[str] = "iam-role-service-trust-unrestricted"
    title: ClassVar[str] = "Role trusts an AWS service without limiting the source"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "iam_role"
    description: ClassVar[str] = (
        "The role's trust policy lets an AWS service assume it without an aws:SourceAccount / "
        "aws:SourceArn condition, so another account's use of that service could act through this"
        " role (confused deputy)."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_role_cross_service_confused_deputy_prevention",)
    remediation: ClassVar[str] = (
        "Add a condition on aws:SourceAccount (and aws:SourceArn where the service sets it) to "
        "the trust policy statement."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        trust = attrs.get("trust_policy")
        if trust is None or attrs.get("service_linked"):
            return None
        services = []
        for st in policy_statements(trust):
            if st.get("Effect") != "Allow":
                continue
            principal = st.get("Principal")
            named = as_list(principal.get("Service")) if isinstance(principal, dict) else []
            condition = json.dumps(st.get("Condition") or {}).lower()
            if named and not any(key in condition for key in SOURCE_KEYS):
                services.extend(named)
        if not services:
            return None
        trusted = ", ".join(sorted(set(services)))
        return Violation(detail=f"Role {resource.name} trusts {trusted} without a source condition.")
