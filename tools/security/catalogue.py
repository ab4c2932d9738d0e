"""The rule catalogue: every security rule with its service, severity, framework controls, Prowler
equivalents and remediation, as `cloudpilot security rules` lists it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tools.security.rule import FRAMEWORKS
from tools.security.rules import all_rules


class RuleInfo(BaseModel):
    id: str
    title: str
    service: str
    severity: str
    resource_type: str
    description: str
    # Framework name -> control ids (only the frameworks the rule maps to).
    compliance: dict[str, list[str]] = Field(default_factory=dict)
    prowler_checks: list[str] = Field(default_factory=list)
    remediation: str
    remediation_action: str | None = None


def rule_catalogue() -> list[RuleInfo]:
    """Every rule, by service then id."""
    infos = [
        RuleInfo(
            id=r.id,
            title=r.title,
            service=r.service,
            severity=r.severity.value,
            resource_type=r.resource_type,
            description=r.description,
            compliance={f: list(r.compliance[f]) for f in FRAMEWORKS if f in r.compliance},
            prowler_checks=list(r.prowler_checks),
            remediation=r.remediation,
            remediation_action=r.remediation_action,
        )
        for r in all_rules()
    ]
    return sorted(infos, key=lambda i: (i.service, i.id))
