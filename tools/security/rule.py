"""The shape of a security rule: metadata plus a pure `evaluate(resource)`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from tools.inventory.kinds import kind
from tools.inventory.resources import AnyResourceType, Resource


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


# Framework names used as keys of Rule.compliance.
CIS_AWS = "CIS AWS Foundations Benchmark v3.0.0"
PCI_DSS = "PCI DSS v4.0"
SOC2 = "SOC 2 (TSC 2017)"
FSBP = "AWS Foundational Security Best Practices"
FRAMEWORKS: tuple[str, ...] = (CIS_AWS, FSBP, PCI_DSS, SOC2)


@dataclass(frozen=True)
class Violation:
    """Why a resource fails a rule, and the parameters of the action that would fix it."""

    detail: str
    remediation_params: dict[str, Any] = field(default_factory=dict)


class Rule(ABC):
    """One check. Subclasses set the metadata and implement `evaluate`.

    `evaluate` must only read the normalised resource (no cloud calls), so it works the
    same on live resources and on resources parsed from infrastructure code. A missing
    attribute means "unknown" and must not produce a finding on its own.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    resource_type: ClassVar[AnyResourceType]
    description: ClassVar[str]
    # Framework name -> control ids, e.g. {CIS_AWS: ("5.2",)}.
    compliance: ClassVar[Mapping[str, tuple[str, ...]]]
    remediation: ClassVar[str]
    # The equivalent checks of the open-source scanner Prowler (docs/COMPLIANCE.md).
    prowler_checks: ClassVar[tuple[str, ...]] = ()
    # Name of the remediation action in tools.remediation that fixes it, if any.
    remediation_action: ClassVar[str | None] = None

    @property
    def service(self) -> str:
        return kind(self.resource_type).service

    def applies_to(self, resource: Resource) -> bool:
        return resource.type == self.resource_type

    @abstractmethod
    def evaluate(self, resource: Resource) -> Violation | None:
        """None when the resource passes."""

    def compliance_refs(self) -> list[str]:
        return [f"{framework} {control}" for framework, ids in self.compliance.items() for control in ids]


def parse_time(value: Any) -> datetime | None:
    """An ISO timestamp (as collectors store them) or a datetime, as an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def age_days(resource: Resource, value: Any) -> float | None:
    """Days between `value` and when the resource was observed (now when unknown)."""
    moment = parse_time(value)
    if moment is None:
        return None
    now = resource.observed_at or datetime.now(UTC)
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now
    return (now - moment).total_seconds() / 86400
