"""Run rules over normalised resources and turn failures into findings."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from store.finding_types import FindingData
from tools.inventory.resources import Resource
from tools.security.rule import Rule


def fingerprint(account: str, region: str, rule_id: str, resource_id: str) -> str:
    """Stable finding id: the same rule failing on the same resource keeps the same id."""
    digest = hashlib.sha256(f"{account}|{region}|{rule_id}|{resource_id}".encode()).hexdigest()
    return "f-" + digest[:16]


def evaluate(resources: Iterable[Resource], rules: Iterable[Rule]) -> list[FindingData]:
    rules = list(rules)
    findings: list[FindingData] = []
    for resource in resources:
        for rule in rules:
            if not rule.applies_to(resource):
                continue
            violation = rule.evaluate(resource)
            if violation is None:
                continue
            findings.append(
                FindingData(
                    id=fingerprint(resource.account, resource.region, rule.id, resource.id),
                    rule_id=rule.id,
                    title=rule.title,
                    severity=rule.severity.value,
                    service=rule.service,
                    account=resource.account,
                    region=resource.region,
                    resource_id=resource.id,
                    resource_type=resource.type,
                    detail=violation.detail,
                    remediation_action=rule.remediation_action,
                    remediation_params=dict(violation.remediation_params),
                )
            )
    return findings
