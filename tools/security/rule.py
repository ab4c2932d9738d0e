"""The shape of a security rule: metadata plus a pure `evaluate(resource)`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from tools.security.resources import TYPE_SERVICE, Resource, ResourceType


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


# Framework names used as keys of Rule.compliance.
CIS_AWS = "CIS AWS Foundations Benchmark v3.0.0"
PCI_DSS = "PCI DSS v4.0"


@dataclass(frozen=True)
class Violation:
    """Why a resource fails a rule, and the parameters of the action that would fix it."""

    detail: str
    remediation_params: dict[str, Any] = field(default_factory=dict)


class Rule(ABC):
    """One check. Subclasses set the metadata and implement `evaluate`.

    `evaluate` must only read the normalised resource (no cloud calls), so it works the
    same on live resources and on resources parsed from infrastructure code.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    resource_type: ClassVar[ResourceType]
    description: ClassVar[str]
    # Framework name -> control ids, e.g. {CIS_AWS: ("5.2",)}.
    compliance: ClassVar[Mapping[str, tuple[str, ...]]]
    remediation: ClassVar[str]
    # Name of the remediation action in tools.remediation that fixes it, if any.
    remediation_action: ClassVar[str | None] = None

    @property
    def service(self) -> str:
        return TYPE_SERVICE[self.resource_type]

    def applies_to(self, resource: Resource) -> bool:
        return resource.type == self.resource_type

    @abstractmethod
    def evaluate(self, resource: Resource) -> Violation | None:
        """None when the resource passes."""

    def compliance_refs(self) -> list[str]:
        return [f"{framework} {control}" for framework, ids in self.compliance.items() for control in ids]
